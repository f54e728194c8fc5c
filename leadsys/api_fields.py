"""Body fields that take JSON types as they are.

DRF's fields coerce: 0 becomes "0", "5" becomes 5, 1 becomes a UUID, "yes"
becomes True. For a JSON API that hides a caller's bug, so body fields here
accept only their own JSON type. Query parameters are always strings and keep
DRF's fields.

Bodies are closed too: a StrictSerializer refuses a field it does not declare
(UnknownFields, a 400 with the code `unknown_field`), so a misspelt name is an
error for the caller, not a silent loss. The two schema extensions at the end
make the OpenAPI document say the same: patterns for what a text field
accepts once trimmed, `additionalProperties: false` on every request body.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import force_instance
from drf_spectacular.serializers import PolymorphicProxySerializerExtension
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a string.", code="invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise serializers.ValidationError("Must be a whole number.", code="invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            raise serializers.ValidationError("Must be true or false.", code="invalid")
        return data


class StrictUUIDField(serializers.UUIDField):
    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a UUID string.", code="invalid")
        return super().to_internal_value(data)


class StrictChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a string.", code="invalid")
        return super().to_internal_value(data)


# --- Strict bodies: an unknown field is a 400 naming it, never silently dropped -------------------

UNKNOWN_FIELD = "Unknown field."

# Python's str.isspace() set, spelled out: DRF trims with str.strip(), and a pattern's \s means
# something slightly different in each regex dialect a client may check it with.
WHITESPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# DRF refuses NUL in any string. (It refuses lone surrogates too, but JSON Schema regex engines
# cannot name them, and a UTF-8 client cannot send them.)
ANY_CHAR = r"[^\x00]"
NON_SPACE = rf"[^{WHITESPACE}\x00]"
# A regex engine compiles ANY_CHAR{0,N} into N copies: schemathesis' (jsonschema-rs) refuses the
# pattern past about 10,400. A longer limit is left out of the pattern and said in words instead.
PATTERN_MAX_REPEAT = 10_000


def field_label(name: str) -> str:
    """An unknown name as the error body can carry it: a lone surrogate (valid JSON, not UTF-8) escaped."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


class UnknownFields(serializers.ValidationError):
    """A body named fields the endpoint does not know: rendered with the code `unknown_field`."""


def unknown_fields(serializer: serializers.Serializer, data: Any) -> dict[str, Any]:
    """The names in `data` that `serializer` does not declare, nested objects and lists of them included."""
    if not isinstance(data, dict):
        return {}  # not an object: the fields' own validation says so
    found: dict[str, Any] = {}
    for name, value in data.items():
        field = serializer.fields.get(name)
        if field is None or field.read_only:
            found[field_label(name)] = [UNKNOWN_FIELD]
        elif isinstance(field, serializers.ListSerializer) and isinstance(value, list):
            inner = {index: unknown_fields(field.child, item) for index, item in enumerate(value)}
            inner = {index: names for index, names in inner.items() if names}
            if inner:
                found[name] = inner
        elif isinstance(field, serializers.Serializer):
            inner = unknown_fields(field, value)
            if inner:
                found[name] = inner
    return found


class StrictSerializer(serializers.Serializer):
    """A request body: every field it names must be one of ours (checked before any field, at the root)."""

    def to_internal_value(self, data: Any) -> Any:
        if self.parent is None:
            unknown = unknown_fields(self, data)
            if unknown:
                self._unknown_fields = True
                raise UnknownFields(unknown)
        return super().to_internal_value(data)

    def is_valid(self, *, raise_exception: bool = False) -> bool:
        # DRF re-raises a plain ValidationError from the stored errors: keep the unknown_field kind.
        valid = super().is_valid(raise_exception=False)
        if not valid and raise_exception:
            kind = UnknownFields if getattr(self, "_unknown_fields", False) else serializers.ValidationError
            raise kind(self.errors)
        return valid


def text_pattern(field: serializers.CharField) -> str:
    """The JSON Schema pattern of exactly what a CharField accepts.

    Trimmed, a value's length rules apply to what is left once the spaces around it are gone, which
    minLength/maxLength cannot say: the pattern carries them (and the schema drops those keywords).
    A maximum over PATTERN_MAX_REPEAT is left to the description (StrictSerializerSchema).
    """
    if not field.trim_whitespace:
        return rf"^{ANY_CHAR}*$" if field.allow_blank else rf"^{ANY_CHAR}+$"
    low, high = max(field.min_length or 1, 1), field.max_length
    if high and high > PATTERN_MAX_REPEAT:
        high = None
    if high == 1:
        core = NON_SPACE
    elif low == 1:
        core = (
            rf"{NON_SPACE}(?:{ANY_CHAR}{{0,{high - 2}}}{NON_SPACE})?"
            if high
            else rf"{NON_SPACE}(?:{ANY_CHAR}*{NON_SPACE})?"
        )
    else:
        core = rf"{NON_SPACE}{ANY_CHAR}{{{low - 2},{high - 2 if high else ''}}}{NON_SPACE}"
    optional = "?" if field.allow_blank else ""
    return rf"^[{WHITESPACE}]*(?:{core}){optional}[{WHITESPACE}]*$"


def trimmed_lengths_in_pattern(field: Any) -> bool:
    return isinstance(field, StrictCharField) and field.trim_whitespace


class CharFieldSchema(OpenApiSerializerFieldExtension):
    """Text in a request (body or query): the pattern of what it accepts."""

    target_class = serializers.CharField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if (
            direction == "request"
            and schema.get("type") == "string"
            and not {"enum", "format", "pattern"} & set(schema)
        ):
            schema["pattern"] = text_pattern(self.target)
        return schema


class StrictSerializerSchema(OpenApiSerializerExtension):
    """Request bodies are closed objects; the fields a serializer requires stay required for PATCH too."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if schema.get("description") == StrictSerializer.__doc__:
            del schema["description"]  # inherited, not this body's
        for name, field in schema.get("properties", {}).items():
            # drf-spectacular offers "" as a second oneOf branch, but our patterns match "" too: any of.
            if "oneOf" in field and field["oneOf"][-1] == {"type": "string", "maxLength": 0}:
                field["anyOf"] = field.pop("oneOf")
            declared = self.target.fields.get(name)
            for branch in [field, *field.get("anyOf", [])]:
                if "pattern" in branch and "format" not in branch and trimmed_lengths_in_pattern(declared):
                    branch.pop("minLength", None)
                    if branch.pop("maxLength", None) and declared.max_length:
                        field.setdefault("description", f"At most {declared.max_length} characters, trimmed.")
        if direction == "request":
            schema["additionalProperties"] = False
            required = [name for name, field in self.target.fields.items() if field.required]
            if required:
                schema["required"] = required
        return schema


class OneOfBodies(PolymorphicProxySerializer):
    """A request body that is one of several closed objects, told apart by a field (see StrictSerializer)."""


class OneOfBodiesSchema(PolymorphicProxySerializerExtension):
    """The fields every variant requires are required of the union too, so the body itself is required."""

    target_class = OneOfBodies
    priority = 1

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema = super().map_serializer(auto_schema, direction)
        variants = [[*force_instance(one).fields] for one in self.target.serializers.values()]
        required = [name for name in variants[0] if all(name in names for names in variants)]
        if direction == "request" and required:
            schema["required"] = [
                name
                for name in required
                if all(force_instance(one).fields[name].required for one in self.target.serializers.values())
            ]
        return schema
