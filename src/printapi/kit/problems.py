"""Every problem of a request at once: the schema's findings and the rules', in one 400.

A body goes through two checks: its schema (pydantic: types, lengths, required members) and the
rules of its domain (a country that exists, a product in the catalogue, a page count the product
allows, a coupon that can be used). The second needs the first: a rule reads typed values. So
that a broken member does not hide the problems of the others, a route takes its body as
``Json[SomeIn]``: FastAPI hands over a ``Sent`` instead of answering the schema's problems itself,
and the service runs its rules over whatever parts of the body the schema accepted::

    def checked_settings(request: Sent[SettingsIn]) -> SettingsIn:
        problems = Problems.of(request)                  # the schema's, with their fields
        if (body := request.body) is not None:           # salvaged: refused parts are None
            if body.notification_email and problems.usable("notificationEmail"):
                ...                                      # problems.add(field, message)
        problems.raise_if_any()                          # one InvalidInput with all of them
        return request.valid()                           # from here on: the whole, typed body

``Sent.body`` is salvaged when the schema refused something: each member it refused (a wrong
type, a missing required member, an element of a list that is not an object) is None there,
whatever its annotation says. Rules therefore read a member only where ``Problems.usable`` allows
it (or through ``Problems.check``, which asks). Members the schema accepted have their validated
values, so rules that need the database (the catalogue, a coupon) run on them as on a valid body.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import Annotated, Any, Generic, ParamSpec, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, GetCoreSchemaHandler, TypeAdapter, ValidationError
from pydantic_core import CoreSchema, ErrorDetails, core_schema

from printapi.kit.errors import FieldError, InvalidInput

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
P = ParamSpec("P")
Loc = tuple[int | str, ...]

ROOT = "body"  # the field of a problem with the body as a whole (not JSON, not an object)
_SOURCES = ("body", "query", "path", "header")


# -- naming the field of a schema problem --------------------------------------------------------


def field_name(loc: Sequence[int | str]) -> str:
    """``("items", 0, "pageCount")`` → ``items[0].pageCount``; the empty location is the body."""
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or ROOT


def _message(error: ErrorDetails | Mapping[str, Any]) -> str:
    # Our own validators' messages, without pydantic's "Value error, " in front.
    return str(error.get("msg", "is invalid")).removeprefix("Value error, ")


def request_problems(errors: Iterable[ErrorDetails | Mapping[str, Any]]) -> list[FieldError]:
    """FastAPI's validation errors of a request (locations start with body, query, path or header)."""
    problems = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        field = field_name(loc[1:] if loc and loc[0] in _SOURCES else loc)
        message = _message(error)
        if error.get("type") == "json_invalid":
            detail = (error.get("ctx") or {}).get("error")
            message, field = f"malformed JSON{': ' + str(detail) if detail else ''}", ROOT
        problems.append(FieldError(field, message))
    return problems


# -- collecting problems -----------------------------------------------------------------------


class Problems:
    """The problems of one request: the schema's and those the rules add.

    ``InvalidInput`` names the first and counts the rest in its message; ``errors`` lists them all,
    in the order of the body's members when the body's model is known (``Problems.of``), else
    in the order they were found.
    """

    def __init__(self, schema: Iterable[FieldError] = (), *, model: type[BaseModel] | None = None) -> None:
        self.errors: list[FieldError] = list(schema)
        self.hints: list[str] = []
        self._refused = frozenset(error.field for error in self.errors)
        self._model = model

    @classmethod
    def of(cls, request: Sent[M]) -> Problems:
        """The schema's problems of a body, to which its rules add theirs."""
        return cls(request.problems, model=request.model)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def usable(self, field: str) -> bool:
        """The schema refused neither ``field`` nor a member holding it, so a rule may read it."""
        if ROOT in self._refused:
            return False
        return not any(
            field == refused or field.startswith((f"{refused}.", f"{refused}[")) for refused in self._refused
        )

    def add(self, field: str, message: str, *, hint: str | None = None) -> None:
        self.errors.append(FieldError(field, message))
        if hint and hint not in self.hints:
            self.hints.append(hint)

    def extend(self, errors: Iterable[FieldError]) -> None:
        self.errors.extend(errors)

    def absorb(self, error: InvalidInput) -> None:
        """The problems of a rule that raises (``InvalidInput.on``), kept instead of raised."""
        self.errors.extend(error.errors or [FieldError(ROOT, error.message)])
        self.hints.extend(hint for hint in error.hints if hint not in self.hints)

    def check(self, field: str, rule: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """``rule(*args, **kwargs)`` when ``field`` is usable; what it refuses becomes a problem
        and gives None. A ``ValueError`` is a problem of ``field`` with the error's text; an
        ``InvalidInput`` brings its own fields and hints.
        """
        if not self.usable(field):
            return None
        try:
            return rule(*args, **kwargs)
        except InvalidInput as error:
            self.absorb(error)
        except ValueError as error:
            self.add(field, str(error))
        return None

    def raise_if_any(self, *, hint: str | None = None) -> None:
        if self.errors:
            hints = [*self.hints, *([hint] if hint and hint not in self.hints else [])]
            errors, model = self.errors, self._model
            if model is not None:
                errors = sorted(errors, key=lambda error: _position(model, error.field))
            raise InvalidInput.of(errors, hints=hints)


# -- a body as sent ----------------------------------------------------------------------------


class Sent(Generic[M]):
    """A request body: the model when the schema accepts it, else what could be salvaged, and
    the schema's problems (fields named as on the wire). See the module's docstring."""

    __slots__ = ("body", "model", "problems")

    def __init__(self, model: type[M], body: M | None, problems: Sequence[FieldError] = ()) -> None:
        self.model = model
        self.body = body
        self.problems = tuple(problems)

    @classmethod
    def of(cls, body: M) -> Sent[M]:
        """A request made in code, already valid (tests, benchmarks, the CLI)."""
        return cls(type(body), body)

    @classmethod
    def parse(cls, model: type[M], data: object) -> Sent[M]:
        try:
            return cls(model, model.model_validate(data))
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
        locs = [_canonical(model, tuple(error["loc"])) for error in errors]
        problems = [
            FieldError(field_name(loc), _message(error)) for loc, error in zip(locs, errors, strict=True)
        ]
        salvaged = _salvage(model, data, locs)
        return cls(model, salvaged if isinstance(salvaged, model) else None, problems)

    def valid(self) -> M:
        """The whole body, once the rules found nothing either (else the schema's 400)."""
        if self.problems or self.body is None:
            raise InvalidInput.of(list(self.problems) or [FieldError(ROOT, "is required")])
        return self.body

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        # FastAPI validates the JSON body with this: it never fails on the body's members (the
        # route gets the problems instead), and the OpenAPI document shows the model's schema.
        (model,) = get_args(source)
        return core_schema.no_info_plain_validator_function(
            lambda data: cls.parse(model, data), json_schema_input_schema=handler.generate_schema(model)
        )


# -- salvaging the accepted parts --------------------------------------------------------------


def _bare(annotation: Any) -> Any:
    """``Annotated[X, ...]`` and ``X | None`` as ``X``; other unions stay as they are."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            arms = [arm for arm in get_args(annotation) if arm is not type(None)]
            if len(arms) != 1:
                return annotation
            annotation = arms[0]
        else:
            return annotation


def _model(annotation: Any) -> type[BaseModel] | None:
    bare = _bare(annotation)
    return bare if isinstance(bare, type) and issubclass(bare, BaseModel) else None


def _field(model: type[BaseModel], key: int | str) -> tuple[str, Any] | None:
    """The wire name and annotation of the member ``key`` (sent by its wire or its Python name)."""
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info.alias or name, info.annotation
    return None


def _canonical(model: type[BaseModel], loc: Loc) -> Loc:
    """A location with every member under its wire name (a body may use the Python names)."""
    result: list[int | str] = []
    annotation: Any = model
    for part in loc:
        inner = _model(annotation)
        bare = _bare(annotation)
        if inner is not None and (found := _field(inner, part)) is not None:
            wire, annotation = found
            result.append(wire)
            continue
        annotation = get_args(bare)[0] if isinstance(part, int) and get_origin(bare) is list else None
        result.append(part)
    return tuple(result)


_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def _position(model: type[BaseModel], field: str) -> tuple[int, ...]:
    """Where a field sits in a body: members in the order of the schema, elements by index."""
    position: list[int] = []
    annotation: Any = model
    for index, name in _PART.findall(field if field != ROOT else ""):
        bare, inner = _bare(annotation), _model(annotation)
        if index:
            position.append(int(index))
            annotation = get_args(bare)[0] if get_origin(bare) is list else None
            continue
        members = list(inner.model_fields.items()) if inner is not None else []
        wires = [info.alias or python for python, info in members]
        position.append(wires.index(name) if name in wires else len(wires))
        annotation = members[wires.index(name)][1].annotation if name in wires else None
    return tuple(position)


@cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def _accepted(annotation: Any, value: object) -> Any:
    """A value the schema accepted, typed as its annotation makes it (the constraints held)."""
    model = _model(annotation)
    if model is not None and value is not None:
        return model.model_validate(value)
    return _adapter(_bare(annotation)).validate_python(value) if value is not None else None


def _salvage(annotation: Any, value: object, refused: list[Loc]) -> Any:
    """``value`` as the annotation types it, with None for every part the schema refused."""
    if () in refused or value is None:
        return None
    model = _model(annotation)
    bare = _bare(annotation)
    if model is not None and isinstance(value, dict):
        members: dict[str, Any] = {}
        for name, info in model.model_fields.items():
            wire = info.alias or name
            key = wire if wire in value else name
            below = [loc[1:] for loc in refused if loc[0] == wire]
            if key not in value:
                if below:
                    members[name] = None  # a required member that was not sent
            elif below:
                members[name] = _salvage(info.annotation, value[key], below)
            else:
                members[name] = _accepted(info.annotation, value[key])
        return model.model_construct(**members)
    if get_origin(bare) is list and isinstance(value, list):
        (element,) = get_args(bare)
        return [
            _salvage(element, item, below)
            if (below := [loc[1:] for loc in refused if loc[0] == index])
            else _accepted(element, item)
            for index, item in enumerate(value)
        ]
    return None
