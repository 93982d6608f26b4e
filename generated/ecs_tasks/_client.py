"""One thin method per operation, on a blocking and an asyncio client.

The operations of ECS Asynchronous Task API, generated from the spec; the request loop,
retries and errors live in _base_client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, PrivateAttr

from . import models
from ._base_client import (
    CLIENT_CONTEXT_KEY,
    AsyncBaseClient,
    Operation,
    Param,
    RequestBody,
    SyncBaseClient,
    path_value,
)
from ._waiter import (
    AsyncClock,
    AsyncSystemClock,
    Clock,
    ProgressCallback,
    SystemClock,
    WaiterSpec,
    async_wait,
    resolve_pointer,
    wait,
)

__all__ = [
    "AsyncClient",
    "AsyncCreateServersDeliveredTask",
    "AsyncDeliveredTask",
    "Client",
    "CreateServersDeliveredTask",
    "DeliveredTask",
]

_SHOW_JOB = Operation(
    "GET",
    "/v1/{project_id}/jobs/{job_id}",
    idempotent=True,
    params=(
        Param(
            "job_id",
            "path",
            "simple",
            False,
            type=str,
            argument="job_id",
        ),
    ),
    security=(("XAuthToken",),),
)
_CREATE_SERVERS = Operation(
    "POST",
    "/v1/{project_id}/cloudservers",
    body=RequestBody(
        "application/json",
        "json",
        required=True,
        type=models.CreateServersRequest,
    ),
    security=(("XAuthToken",),),
)
_BATCH_SERVER_ACTION = Operation(
    "POST",
    "/v1/{project_id}/cloudservers/action",
    body=RequestBody(
        "application/json",
        "json",
        required=True,
        type=models.BatchServerActionRequest,
    ),
    security=(("XAuthToken",),),
)
_DELETE_SERVERS = Operation(
    "POST",
    "/v1/{project_id}/cloudservers/delete",
    body=RequestBody(
        "application/json",
        "json",
        required=True,
        type=models.DeleteServersRequest,
    ),
    security=(("XAuthToken",),),
)
_RESIZE_SERVER = Operation(
    "POST",
    "/v1/{project_id}/cloudservers/{server_id}/resize",
    params=(
        Param(
            "server_id",
            "path",
            "simple",
            False,
            type=str,
            argument="server_id",
        ),
    ),
    body=RequestBody(
        "application/json",
        "json",
        required=True,
        type=models.ResizeServerRequest,
    ),
    security=(("XAuthToken",),),
)
_MIGRATE_SERVER = Operation(
    "POST",
    "/v1/{project_id}/cloudservers/{server_id}/migrate",
    params=(
        Param(
            "server_id",
            "path",
            "simple",
            False,
            type=str,
            argument="server_id",
        ),
    ),
    body=RequestBody(
        "application/json",
        "json",
        required=True,
        type=models.MigrateServerRequest,
    ),
    security=(("XAuthToken",),),
)
_CHANGE_SERVER_OS_WITH_CLOUD_INIT = Operation(
    "POST",
    "/v2/{project_id}/cloudservers/{server_id}/changeos",
    params=(
        Param(
            "server_id",
            "path",
            "simple",
            False,
            type=str,
            argument="server_id",
        ),
    ),
    body=RequestBody(
        "application/json",
        "json",
        required=True,
        type=models.ChangeServerOsWithCloudInitRequest,
    ),
    security=(("XAuthToken",),),
)
_REINSTALL_SERVER_WITH_CLOUD_INIT = Operation(
    "POST",
    "/v2/{project_id}/cloudservers/{server_id}/reinstallos",
    params=(
        Param(
            "server_id",
            "path",
            "simple",
            False,
            type=str,
            argument="server_id",
        ),
    ),
    body=RequestBody(
        "application/json",
        "json",
        required=True,
        type=models.ReinstallServerWithCloudInitRequest,
    ),
    security=(("XAuthToken",),),
)
_ATTACH_SERVER_VOLUME = Operation(
    "POST",
    "/v1/{project_id}/cloudservers/{server_id}/attachvolume",
    params=(
        Param(
            "server_id",
            "path",
            "simple",
            False,
            type=str,
            argument="server_id",
        ),
    ),
    body=RequestBody(
        "application/json",
        "json",
        required=True,
        type=models.AttachServerVolumeRequest,
    ),
    security=(("XAuthToken",),),
)
_DETACH_SERVER_VOLUME = Operation(
    "DELETE",
    "/v1/{project_id}/cloudservers/{server_id}/detachvolume/{volume_id}",
    idempotent=True,
    params=(
        Param(
            "server_id",
            "path",
            "simple",
            False,
            type=str,
            argument="server_id",
        ),
        Param(
            "volume_id",
            "path",
            "simple",
            False,
            type=str,
            argument="volume_id",
        ),
        Param(
            "delete_flag",
            "query",
            "form",
            True,
            type=Literal["0", "1"],
            argument="delete_flag",
        ),
    ),
    security=(("XAuthToken",),),
)
_BATCH_ADD_SERVER_NICS = Operation(
    "POST",
    "/v1/{project_id}/cloudservers/{server_id}/nics",
    params=(
        Param(
            "server_id",
            "path",
            "simple",
            False,
            type=str,
            argument="server_id",
        ),
    ),
    body=RequestBody(
        "application/json",
        "json",
        required=True,
        type=models.BatchAddServerNicsRequest,
    ),
    security=(("XAuthToken",),),
)
_BATCH_DELETE_SERVER_NICS = Operation(
    "POST",
    "/v1/{project_id}/cloudservers/{server_id}/nics/delete",
    params=(
        Param(
            "server_id",
            "path",
            "simple",
            False,
            type=str,
            argument="server_id",
        ),
    ),
    body=RequestBody(
        "application/json",
        "json",
        required=True,
        type=models.BatchDeleteServerNicsRequest,
    ),
    security=(("XAuthToken",),),
)

# From the `x-waiter` extension of ShowJob.
_JOB_WAITER = WaiterSpec(
    status="/status",
    success=("SUCCESS",),
    failure=("FAIL",),
)

DEFAULT_POLL_INTERVAL = 1.0
DEFAULT_MAX_INTERVAL = 15.0


class _BoundTask(BaseModel):
    """A task delivery answer that remembers the client it came from, to wait on the job.

    Each delivered-task class is one of the two waiting kinds below and, as its other base, the
    answer model it *is*; `_job_id_pointer` says where that answer carries the job id, from the
    operation's link to ShowJob.
    """

    _client: Any = PrivateAttr(default=None)
    _job_id_pointer: ClassVar[str] = ""

    def model_post_init(self, context: Any, /) -> None:
        if isinstance(context, dict):
            self._client = context.get(CLIENT_CONTEXT_KEY)

    def __eq__(self, other: object) -> bool:
        # The client is plumbing, not data: compare as the plain answer model would.
        answer = next(c for c in type(self).__mro__ if not issubclass(c, _BoundTask))
        if isinstance(other, BaseModel) and isinstance(other, answer):
            return dict(self) == dict(other)
        return NotImplemented

    def _client_of(self, kind: type[Any]) -> Any:
        if not isinstance(self._client, kind):
            raise RuntimeError(
                f"this {type(self).__name__} did not come from a {kind.__name__}; "
                f"call {kind.__name__}.wait_for_job(job_id) instead"
            )
        return self._client

    def _job_id(self) -> Any:
        return resolve_pointer(self.model_dump(mode="json", by_alias=True), self._job_id_pointer)


class _WaitingTask(_BoundTask):
    """A delivered task of `Client`."""

    def wait(
        self,
        *,
        timeout: float,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_interval: float = DEFAULT_MAX_INTERVAL,
        on_progress: ProgressCallback | None = None,
    ) -> models.Job:
        """Wait for this task's job; see `Client.wait_for_job`."""
        client: Client = self._client_of(Client)
        return client.wait_for_job(
            self._job_id(),
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            on_progress=on_progress,
        )


class _AsyncWaitingTask(_BoundTask):
    """A delivered task of `AsyncClient`."""

    async def wait(
        self,
        *,
        timeout: float,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_interval: float = DEFAULT_MAX_INTERVAL,
        on_progress: ProgressCallback | None = None,
    ) -> models.Job:
        """Wait for this task's job; see `AsyncClient.wait_for_job`."""
        client: AsyncClient = self._client_of(AsyncClient)
        return await client.wait_for_job(
            self._job_id(),
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            on_progress=on_progress,
        )


class DeliveredTask(_WaitingTask, models.TaskResponse):
    """The answer to a task-delivering call of `Client`: a TaskResponse that can wait."""

    _job_id_pointer = "/job_id"


class AsyncDeliveredTask(_AsyncWaitingTask, models.TaskResponse):
    """The answer to a task-delivering call of `AsyncClient`: a TaskResponse that can wait."""

    _job_id_pointer = "/job_id"


class CreateServersDeliveredTask(_WaitingTask, models.CreateServersResponse):
    """The answer to a task-delivering call of `Client`: a CreateServersResponse that can wait."""

    _job_id_pointer = "/job_id"


class AsyncCreateServersDeliveredTask(_AsyncWaitingTask, models.CreateServersResponse):
    """The answer to a task-delivering call of `AsyncClient`: a CreateServersResponse that can wait."""

    _job_id_pointer = "/job_id"


class Client(SyncBaseClient):
    """Blocking client for ECS Asynchronous Task API.

    Use it as a context manager or call close() when done.
    """

    def show_job(
        self,
        job_id: str,
    ) -> models.Job:
        """Query the status of a job

        Returns the current state of an asynchronous job, including its
        sub-jobs. Poll this operation with the `job_id` a task-delivering
        request returned until `status` is `SUCCESS` or `FAIL` (D16).
        `INIT` and `RUNNING` mean the job is not finished yet.

        - `job_id`: path parameter `job_id`. Specifies the ID of an asynchronous job. It is the `job_id` a task-delivering request returned. Either a UUID with hyphens or 32 lowercase hexadecimal characters (D1).
        """
        return self._request(
            _SHOW_JOB,
            models.Job,
            path_params={
                "job_id": job_id,
            },
        )

    def create_servers(
        self,
        body: models.CreateServersRequest | Mapping[str, Any],
    ) -> CreateServersDeliveredTask:
        """Create ECSs

        Creates one or more ECSs (up to 100 with `count`). Log in with a key pair (`key_name`, advised)
        or a password (`adminPass`). With `dry_run: true` the request is only checked and no task is
        delivered.

        The request only delivers a task: the answer carries the `job_id` to poll with ShowJob (one
        sub-job per ECS, each naming its `server_id`) and the IDs of the ECSs being created.
        """
        return self._request(
            _CREATE_SERVERS,
            CreateServersDeliveredTask,
            body=body,
        )

    def batch_server_action(
        self,
        body: models.BatchServerActionRequest
        | models.BatchStartServersRequest
        | Mapping[str, Any]
        | models.BatchStopServersRequest
        | models.BatchRebootServersRequest,
    ) -> DeliveredTask:
        """Start, stop or reboot ECSs in a batch

        Starts (`os-start`), stops (`os-stop`) or reboots (`reboot`) up to
        1,000 ECSs with one request. The body holds exactly one of the three
        keys; the three documented operations share this path and method, so
        they are one operation here (D12). For a stop `type` is optional and
        defaults to `SOFT`; for a reboot it is required (D13).

        The request only delivers a task: poll ShowJob with the returned
        `job_id` to learn when the ECSs have changed state.
        """
        return self._request(
            _BATCH_SERVER_ACTION,
            DeliveredTask,
            body=body,
        )

    def delete_servers(
        self,
        body: models.DeleteServersRequest | Mapping[str, Any],
    ) -> DeliveredTask:
        """Delete ECSs in a batch

        Deletes up to 1,000 ECSs with one request. By default their EIPs
        are only unbound and their data disks only detached; set
        `delete_publicip` or `delete_volume` to remove them as well. An
        illegal body is answered with `400` and code `Ecs.0005`.

        The request only delivers a task: poll ShowJob with the returned
        `job_id` to learn when the ECSs are gone.
        """
        return self._request(
            _DELETE_SERVERS,
            DeliveredTask,
            body=body,
        )

    def resize_server(
        self,
        server_id: str,
        body: models.ResizeServerRequest | Mapping[str, Any],
    ) -> DeliveredTask:
        """Modify the specifications of an ECS

        Changes the flavor of a stopped ECS, for example to give it more vCPUs and memory.
        With `dry_run: true` the request is only checked and no task is delivered.

        The request only delivers a task: poll ShowJob with the returned `job_id` until the job is `SUCCESS` or `FAIL`.

        - `server_id`: path parameter `server_id`. Specifies the ECS ID.
        """
        return self._request(
            _RESIZE_SERVER,
            DeliveredTask,
            path_params={
                "server_id": server_id,
            },
            body=body,
        )

    def migrate_server(
        self,
        server_id: str,
        body: models.MigrateServerRequest | Mapping[str, Any],
    ) -> DeliveredTask:
        """Cold migrate an ECS

        Migrates a stopped ECS between dedicated hosts (DeHs), from a DeH to the public resource pool,
        or from the public resource pool to a DeH.

        The request only delivers a task: poll ShowJob with the returned `job_id` until the job is `SUCCESS` or `FAIL`.

        - `server_id`: path parameter `server_id`. Specifies the ECS ID.
        """
        return self._request(
            _MIGRATE_SERVER,
            DeliveredTask,
            path_params={
                "server_id": server_id,
            },
            body=body,
        )

    def change_server_os_with_cloud_init(
        self,
        server_id: str,
        body: models.ChangeServerOsWithCloudInitRequest | Mapping[str, Any],
    ) -> DeliveredTask:
        """Change the OS of an ECS (image with Cloud-Init)

        Replaces the system disk of a stopped ECS with one made from another image that has Cloud-Init
        or Cloudbase-Init installed; data disks stay as they are.

        The request only delivers a task: poll ShowJob with the returned `job_id` until the job is `SUCCESS` or `FAIL`.

        - `server_id`: path parameter `server_id`. Specifies the ECS ID.
        """
        return self._request(
            _CHANGE_SERVER_OS_WITH_CLOUD_INIT,
            DeliveredTask,
            path_params={
                "server_id": server_id,
            },
            body=body,
        )

    def reinstall_server_with_cloud_init(
        self,
        server_id: str,
        body: models.ReinstallServerWithCloudInitRequest | Mapping[str, Any],
    ) -> DeliveredTask:
        """Reinstall the OS of an ECS (image with Cloud-Init)

        Recreates the system disk of a stopped ECS from its original image, which has Cloud-Init or
        Cloudbase-Init installed; data disks stay as they are.

        The request only delivers a task: poll ShowJob with the returned `job_id` until the job is `SUCCESS` or `FAIL`.

        - `server_id`: path parameter `server_id`. Specifies the ECS ID.
        """
        return self._request(
            _REINSTALL_SERVER_WITH_CLOUD_INIT,
            DeliveredTask,
            path_params={
                "server_id": server_id,
            },
            body=body,
        )

    def attach_server_volume(
        self,
        server_id: str,
        body: models.AttachServerVolumeRequest | Mapping[str, Any],
    ) -> DeliveredTask:
        """Attach a disk to an ECS

        Attaches an EVS disk to an ECS. With `dry_run: true` the request is only checked and no task
        is delivered.

        The request only delivers a task: poll ShowJob with the returned `job_id` until the job is `SUCCESS` or `FAIL`.

        - `server_id`: path parameter `server_id`. Specifies the ECS ID.
        """
        return self._request(
            _ATTACH_SERVER_VOLUME,
            DeliveredTask,
            path_params={
                "server_id": server_id,
            },
            body=body,
        )

    def detach_server_volume(
        self,
        server_id: str,
        volume_id: str,
        *,
        delete_flag: Literal["0", "1"] | None = None,
    ) -> DeliveredTask:
        """Detach an EVS disk from an ECS

        Detaches an EVS disk from an ECS; `delete_flag=1` forces the detachment of a data disk.

        The request only delivers a task: poll ShowJob with the returned `job_id` until the job is `SUCCESS` or `FAIL`.

        - `server_id`: path parameter `server_id`. Specifies the ECS ID.
        - `volume_id`: path parameter `volume_id`. Specifies the disk ID.
        - `delete_flag`: query parameter `delete_flag`, optional. Indicates whether to forcibly detach a data disk.

          - If yes, set it to 1.
          - If no, set it to 0.

          It is set to 0 by default.

          The URI table gives no type; the parameter is a string with the two
          documented values (D28).
        """
        return self._request(
            _DETACH_SERVER_VOLUME,
            DeliveredTask,
            path_params={
                "server_id": server_id,
                "volume_id": volume_id,
            },
            query={
                "delete_flag": delete_flag,
            },
        )

    def batch_add_server_nics(
        self,
        server_id: str,
        body: models.BatchAddServerNicsRequest | Mapping[str, Any],
    ) -> DeliveredTask:
        """Add NICs to an ECS in a batch

        Adds one or more NICs to an ECS. Do not detach or delete a NIC while it is being added.

        The request only delivers a task: poll ShowJob with the returned `job_id` until the job is `SUCCESS` or `FAIL`.

        - `server_id`: path parameter `server_id`. Specifies the ECS ID.
        """
        return self._request(
            _BATCH_ADD_SERVER_NICS,
            DeliveredTask,
            path_params={
                "server_id": server_id,
            },
            body=body,
        )

    def batch_delete_server_nics(
        self,
        server_id: str,
        body: models.BatchDeleteServerNicsRequest | Mapping[str, Any],
    ) -> DeliveredTask:
        """Delete NICs from an ECS in a batch

        Deletes one or more NICs from an ECS; the primary NIC cannot be deleted.

        The request only delivers a task: poll ShowJob with the returned `job_id` until the job is `SUCCESS` or `FAIL`.

        - `server_id`: path parameter `server_id`. Specifies the ECS ID.
        """
        return self._request(
            _BATCH_DELETE_SERVER_NICS,
            DeliveredTask,
            path_params={
                "server_id": server_id,
            },
            body=body,
        )

    def wait_for_job(
        self,
        job_id: str,
        *,
        timeout: float,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_interval: float = DEFAULT_MAX_INTERVAL,
        on_progress: ProgressCallback | None = None,
        _clock: Clock | None = None,
    ) -> models.Job:
        """Poll the job until it succeeds, and return it.

        Raises JobFailedError when the job fails and JobTimeoutError once `timeout` seconds
        have passed, whatever happened meanwhile. Polls back off from `poll_interval` to
        `max_interval` seconds; connection errors, 408, 429 and 5xx answers are ridden out.
        `on_progress(job)` is called after every successful poll, whatever the status, even one
        the spec does not list (such a status is not final).
        """
        path_value("job_id", job_id)

        def poll(seconds_left: float) -> models.Job:
            return self._request(
                _SHOW_JOB,
                models.Job,
                path_params={"job_id": job_id},
                time_limit=seconds_left,
                max_retries=0,
            )

        return wait(
            poll,
            _JOB_WAITER,
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            on_progress=on_progress,
            clock=_clock or SystemClock(),
        )


class AsyncClient(AsyncBaseClient):
    """asyncio client for ECS Asynchronous Task API.

    Use it as `async with` or await close() when done.
    """

    async def show_job(
        self,
        job_id: str,
    ) -> models.Job:
        """Query the status of a job

        Returns the current state of an asynchronous job, including its
        sub-jobs. Poll this operation with the `job_id` a task-delivering
        request returned until `status` is `SUCCESS` or `FAIL` (D16).
        `INIT` and `RUNNING` mean the job is not finished yet.

        - `job_id`: path parameter `job_id`. Specifies the ID of an asynchronous job. It is the `job_id` a task-delivering request returned. Either a UUID with hyphens or 32 lowercase hexadecimal characters (D1).
        """
        return await self._request(
            _SHOW_JOB,
            models.Job,
            path_params={
                "job_id": job_id,
            },
        )

    async def create_servers(
        self,
        body: models.CreateServersRequest | Mapping[str, Any],
    ) -> AsyncCreateServersDeliveredTask:
        """Create ECSs

        Creates one or more ECSs (up to 100 with `count`). Log in with a key pair (`key_name`, advised)
        or a password (`adminPass`). With `dry_run: true` the request is only checked and no task is
        delivered.

        The request only delivers a task: the answer carries the `job_id` to poll with ShowJob (one
        sub-job per ECS, each naming its `server_id`) and the IDs of the ECSs being created.
        """
        return await self._request(
            _CREATE_SERVERS,
            AsyncCreateServersDeliveredTask,
            body=body,
        )

    async def batch_server_action(
        self,
        body: models.BatchServerActionRequest
        | models.BatchStartServersRequest
        | Mapping[str, Any]
        | models.BatchStopServersRequest
        | models.BatchRebootServersRequest,
    ) -> AsyncDeliveredTask:
        """Start, stop or reboot ECSs in a batch

        Starts (`os-start`), stops (`os-stop`) or reboots (`reboot`) up to
        1,000 ECSs with one request. The body holds exactly one of the three
        keys; the three documented operations share this path and method, so
        they are one operation here (D12). For a stop `type` is optional and
        defaults to `SOFT`; for a reboot it is required (D13).

        The request only delivers a task: poll ShowJob with the returned
        `job_id` to learn when the ECSs have changed state.
        """
        return await self._request(
            _BATCH_SERVER_ACTION,
            AsyncDeliveredTask,
            body=body,
        )

    async def delete_servers(
        self,
        body: models.DeleteServersRequest | Mapping[str, Any],
    ) -> AsyncDeliveredTask:
        """Delete ECSs in a batch

        Deletes up to 1,000 ECSs with one request. By default their EIPs
        are only unbound and their data disks only detached; set
        `delete_publicip` or `delete_volume` to remove them as well. An
        illegal body is answered with `400` and code `Ecs.0005`.

        The request only delivers a task: poll ShowJob with the returned
        `job_id` to learn when the ECSs are gone.
        """
        return await self._request(
            _DELETE_SERVERS,
            AsyncDeliveredTask,
            body=body,
        )

    async def resize_server(
        self,
        server_id: str,
        body: models.ResizeServerRequest | Mapping[str, Any],
    ) -> AsyncDeliveredTask:
        """Modify the specifications of an ECS

        Changes the flavor of a stopped ECS, for example to give it more vCPUs and memory.
        With `dry_run: true` the request is only checked and no task is delivered.

        The request only delivers a task: poll ShowJob with the returned `job_id` until the job is `SUCCESS` or `FAIL`.

        - `server_id`: path parameter `server_id`. Specifies the ECS ID.
        """
        return await self._request(
            _RESIZE_SERVER,
            AsyncDeliveredTask,
            path_params={
                "server_id": server_id,
            },
            body=body,
        )

    async def migrate_server(
        self,
        server_id: str,
        body: models.MigrateServerRequest | Mapping[str, Any],
    ) -> AsyncDeliveredTask:
        """Cold migrate an ECS

        Migrates a stopped ECS between dedicated hosts (DeHs), from a DeH to the public resource pool,
        or from the public resource pool to a DeH.

        The request only delivers a task: poll ShowJob with the returned `job_id` until the job is `SUCCESS` or `FAIL`.

        - `server_id`: path parameter `server_id`. Specifies the ECS ID.
        """
        return await self._request(
            _MIGRATE_SERVER,
            AsyncDeliveredTask,
            path_params={
                "server_id": server_id,
            },
            body=body,
        )

    async def change_server_os_with_cloud_init(
        self,
        server_id: str,
        body: models.ChangeServerOsWithCloudInitRequest | Mapping[str, Any],
    ) -> AsyncDeliveredTask:
        """Change the OS of an ECS (image with Cloud-Init)

        Replaces the system disk of a stopped ECS with one made from another image that has Cloud-Init
        or Cloudbase-Init installed; data disks stay as they are.

        The request only delivers a task: poll ShowJob with the returned `job_id` until the job is `SUCCESS` or `FAIL`.

        - `server_id`: path parameter `server_id`. Specifies the ECS ID.
        """
        return await self._request(
            _CHANGE_SERVER_OS_WITH_CLOUD_INIT,
            AsyncDeliveredTask,
            path_params={
                "server_id": server_id,
            },
            body=body,
        )

    async def reinstall_server_with_cloud_init(
        self,
        server_id: str,
        body: models.ReinstallServerWithCloudInitRequest | Mapping[str, Any],
    ) -> AsyncDeliveredTask:
        """Reinstall the OS of an ECS (image with Cloud-Init)

        Recreates the system disk of a stopped ECS from its original image, which has Cloud-Init or
        Cloudbase-Init installed; data disks stay as they are.

        The request only delivers a task: poll ShowJob with the returned `job_id` until the job is `SUCCESS` or `FAIL`.

        - `server_id`: path parameter `server_id`. Specifies the ECS ID.
        """
        return await self._request(
            _REINSTALL_SERVER_WITH_CLOUD_INIT,
            AsyncDeliveredTask,
            path_params={
                "server_id": server_id,
            },
            body=body,
        )

    async def attach_server_volume(
        self,
        server_id: str,
        body: models.AttachServerVolumeRequest | Mapping[str, Any],
    ) -> AsyncDeliveredTask:
        """Attach a disk to an ECS

        Attaches an EVS disk to an ECS. With `dry_run: true` the request is only checked and no task
        is delivered.

        The request only delivers a task: poll ShowJob with the returned `job_id` until the job is `SUCCESS` or `FAIL`.

        - `server_id`: path parameter `server_id`. Specifies the ECS ID.
        """
        return await self._request(
            _ATTACH_SERVER_VOLUME,
            AsyncDeliveredTask,
            path_params={
                "server_id": server_id,
            },
            body=body,
        )

    async def detach_server_volume(
        self,
        server_id: str,
        volume_id: str,
        *,
        delete_flag: Literal["0", "1"] | None = None,
    ) -> AsyncDeliveredTask:
        """Detach an EVS disk from an ECS

        Detaches an EVS disk from an ECS; `delete_flag=1` forces the detachment of a data disk.

        The request only delivers a task: poll ShowJob with the returned `job_id` until the job is `SUCCESS` or `FAIL`.

        - `server_id`: path parameter `server_id`. Specifies the ECS ID.
        - `volume_id`: path parameter `volume_id`. Specifies the disk ID.
        - `delete_flag`: query parameter `delete_flag`, optional. Indicates whether to forcibly detach a data disk.

          - If yes, set it to 1.
          - If no, set it to 0.

          It is set to 0 by default.

          The URI table gives no type; the parameter is a string with the two
          documented values (D28).
        """
        return await self._request(
            _DETACH_SERVER_VOLUME,
            AsyncDeliveredTask,
            path_params={
                "server_id": server_id,
                "volume_id": volume_id,
            },
            query={
                "delete_flag": delete_flag,
            },
        )

    async def batch_add_server_nics(
        self,
        server_id: str,
        body: models.BatchAddServerNicsRequest | Mapping[str, Any],
    ) -> AsyncDeliveredTask:
        """Add NICs to an ECS in a batch

        Adds one or more NICs to an ECS. Do not detach or delete a NIC while it is being added.

        The request only delivers a task: poll ShowJob with the returned `job_id` until the job is `SUCCESS` or `FAIL`.

        - `server_id`: path parameter `server_id`. Specifies the ECS ID.
        """
        return await self._request(
            _BATCH_ADD_SERVER_NICS,
            AsyncDeliveredTask,
            path_params={
                "server_id": server_id,
            },
            body=body,
        )

    async def batch_delete_server_nics(
        self,
        server_id: str,
        body: models.BatchDeleteServerNicsRequest | Mapping[str, Any],
    ) -> AsyncDeliveredTask:
        """Delete NICs from an ECS in a batch

        Deletes one or more NICs from an ECS; the primary NIC cannot be deleted.

        The request only delivers a task: poll ShowJob with the returned `job_id` until the job is `SUCCESS` or `FAIL`.

        - `server_id`: path parameter `server_id`. Specifies the ECS ID.
        """
        return await self._request(
            _BATCH_DELETE_SERVER_NICS,
            AsyncDeliveredTask,
            path_params={
                "server_id": server_id,
            },
            body=body,
        )

    async def wait_for_job(
        self,
        job_id: str,
        *,
        timeout: float,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_interval: float = DEFAULT_MAX_INTERVAL,
        on_progress: ProgressCallback | None = None,
        _clock: AsyncClock | None = None,
    ) -> models.Job:
        """Poll the job until it succeeds, and return it.

        Raises JobFailedError when the job fails and JobTimeoutError once `timeout` seconds
        have passed, whatever happened meanwhile. Polls back off from `poll_interval` to
        `max_interval` seconds; connection errors, 408, 429 and 5xx answers are ridden out.
        `on_progress(job)` is called after every successful poll, whatever the status, even one
        the spec does not list (such a status is not final).
        """
        path_value("job_id", job_id)

        async def poll(seconds_left: float) -> models.Job:
            return await self._request(
                _SHOW_JOB,
                models.Job,
                path_params={"job_id": job_id},
                time_limit=seconds_left,
                max_retries=0,
            )

        return await async_wait(
            poll,
            _JOB_WAITER,
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            on_progress=on_progress,
            clock=_clock or AsyncSystemClock(),
        )
