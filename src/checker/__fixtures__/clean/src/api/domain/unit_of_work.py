from typing import Protocol, runtime_checkable


@runtime_checkable
class IUnitOfWork(Protocol):
    async def commit(self) -> None: ...
