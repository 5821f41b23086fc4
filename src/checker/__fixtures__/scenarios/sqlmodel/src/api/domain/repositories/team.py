from sqlmodel import Session, select

from api.domain.models.team import Team, TeamPublic


class TeamRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get_row(self, team_id: int) -> Team | None:
        return self._session.get(Team, team_id)

    def get(self, team_id: int) -> TeamPublic | None:
        team = self._session.exec(select(Team).where(Team.id == team_id)).first()
        return None if team is None else TeamPublic.model_validate(team)
