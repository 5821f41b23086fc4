import http
from http import HTTPStatus

import starlette.status
from fastapi import APIRouter, Response, status
from starlette import status as starlette_status

router = APIRouter()


@router.post("/items", status_code=status.HTTP_201_CREATED)
async def create_item(response: Response) -> dict[str, str]:
    if response.headers.get("x-locked"):
        response.status_code = status.HTTP_423_LOCKED
    return {"state": "created"}


@router.delete("/items/{item_id}", status_code=HTTPStatus.NO_CONTENT)
async def delete_item(item_id: int, response: Response) -> None:
    if item_id < 0:
        response.status_code = HTTPStatus.NOT_FOUND
    elif item_id == 0:
        response.status_code = http.HTTPStatus.CONFLICT
    elif item_id == 1:
        response.status_code = starlette.status.HTTP_409_CONFLICT
    else:
        response.status_code = starlette_status.HTTP_410_GONE
