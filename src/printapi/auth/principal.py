"""Who is calling: the account, the environment of the API client, and the token's scopes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from printapi.auth.scopes import Scope
from printapi.kit.errors import Forbidden


class Environment(StrEnum):
    TEST = "test"
    LIVE = "live"


@dataclass(frozen=True)
class Principal:
    account_id: int
    account_email: str
    environment: Environment
    scopes: frozenset[Scope]
    role: str = "owner"
    # The API client (api_clients.id) of the bearer token; None for a dashboard session.
    client_pk: int | None = None

    def require(self, scope: Scope) -> None:
        if scope not in self.scopes:
            raise Forbidden(
                message=f"This access token lacks the scope '{scope}'.",
                hints=[f"Request a token whose scope includes {scope}."],
            )

    @property
    def is_operator(self) -> bool:
        return self.role == "operator" and Scope.OPERATOR in self.scopes
