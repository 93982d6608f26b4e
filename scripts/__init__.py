"""The ecs-tasks build pipeline: load, bundle, validate and render an OpenAPI spec."""
