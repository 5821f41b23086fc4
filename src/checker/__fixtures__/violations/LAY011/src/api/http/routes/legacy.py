from fastapi import APIRouter, HTTPException

router = APIRouter()


@router.get("/legacy")
async def legacy() -> None:
    raise HTTPException(status_code=410, detail="gone")
