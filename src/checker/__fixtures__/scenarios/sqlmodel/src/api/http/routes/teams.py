from fastapi import APIRouter
from sqlmodel import Session, select

from api.domain.models.team import Team, TeamPublic

router = APIRouter()


@router.get("/teams")
def list_teams(session: Session) -> list[TeamPublic]:
    return [TeamPublic.model_validate(team) for team in session.exec(select(Team)).all()]
