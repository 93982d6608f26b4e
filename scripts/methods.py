"""The HTTP methods an OpenAPI path item may hold, in the specification's order.

A module of its own, free of imports, so that the renderers can walk operations without
loading the validator's libraries.
"""

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
