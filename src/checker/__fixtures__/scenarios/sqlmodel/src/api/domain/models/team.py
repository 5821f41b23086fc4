"""SQLModel classes as the models layer declares them: one table, two data shapes."""

from sqlmodel import Field, SQLModel


class TeamBase(SQLModel):
    name: str = Field(max_length=80)


class Team(TeamBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class TeamPublic(TeamBase):
    id: int
