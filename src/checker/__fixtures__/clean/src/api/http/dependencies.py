from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from api.domain.factory import RequestFactory, Singletons


def get_singletons(request: Request) -> Singletons:
    singletons: Singletons = request.app.state.singletons
    return singletons


async def get_session(singletons: Annotated[Singletons, Depends(get_singletons)]) -> AsyncIterator[AsyncSession]:
    async with singletons.session_maker() as session:
        yield session


def get_factory(
    singletons: Annotated[Singletons, Depends(get_singletons)],
    session: Annotated[AsyncSession, Depends(get_session)],
) -> RequestFactory:
    return RequestFactory(singletons, session)


Factory = Annotated[RequestFactory, Depends(get_factory)]
