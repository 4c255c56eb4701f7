"""Run a schema and turn its first error into Nova's message.

Nova echoes the offending value whole (a 100 KB string comes back in the
error) and answers a body that is not an object with ``None is not of type
'object'``. novalite keeps Nova's wording for everything else, but shortens
long values and says plainly what a body must be.
"""

import jsonschema
from jsonschema import _keywords

from novalite.api.validation import formats
from novalite import exception


def _as_number(instance):
    """Digit strings count as numbers for minimum/maximum, as in Nova."""
    if isinstance(instance, str):
        try:
            return int(instance)
        except ValueError:
            try:
                return float(instance)
            except ValueError:
                return instance
    return instance


def _minimum(validator, minimum, instance, schema):
    yield from _keywords.minimum(validator, minimum, _as_number(instance),
                                 schema)


def _maximum(validator, maximum, instance, schema):
    yield from _keywords.maximum(validator, maximum, _as_number(instance),
                                 schema)


_Validator = jsonschema.validators.extend(
    jsonschema.Draft4Validator, {'minimum': _minimum, 'maximum': _maximum})

_CACHE = {}

# Longest value echoed back in an error message, and longest message.
MAX_ECHO = 64
MAX_DETAIL = 512

_JSON_TYPES = [(type(None), 'null'), (bool, 'a boolean'),
               ((int, float), 'a number'), (str, 'a string'),
               (list, 'an array'), (dict, 'an object')]


def _json_type(value):
    for python_type, name in _JSON_TYPES:
        if isinstance(value, python_type):
            return name
    return type(value).__name__


def shorten(text):
    """``text``, cut to MAX_ECHO characters with its length said."""
    if len(text) <= MAX_ECHO:
        return text
    return '%s... (%d characters)' % (text[:MAX_ECHO], len(text))


def _message(error):
    """jsonschema's message, with a long echoed value shortened."""
    message = error.message
    for form in (repr(error.instance), str(error.instance)):
        if len(form) > MAX_ECHO and form in message:
            message = message.replace(form, shorten(form))
    return message


def validate(schema, instance, is_body=True):
    key = id(schema)
    validator = _CACHE.get(key)
    if validator is None:
        validator = _CACHE[key] = _Validator(
            schema, format_checker=formats.FORMAT_CHECKER)
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is None:
        return
    if isinstance(error.cause, exception.NovaliteException):
        raise exception.ValidationError(detail=error.cause.message)
    if len(error.path) > 0:
        value = shorten(str(error.instance))
        if is_body:
            # The innermost field names the problem in a body...
            detail = ('Invalid input for field/attribute %s. Value: %s. %s'
                      % (shorten(str(error.path.pop())), value,
                         _message(error)))
        else:
            # ...and the parameter name (not the index of a repeated
            # value) in a query string.
            detail = ('Invalid input for query parameters %s. Value: %s. %s'
                      % (shorten(str(error.path.popleft())), value,
                         _message(error)))
    elif is_body and error.validator == 'type' and \
            not isinstance(instance, dict):
        detail = ('The request body must be a JSON object, not %s.'
                  % ('empty or null' if instance is None
                     else _json_type(instance)))
    else:
        detail = _message(error)
    if len(detail) > MAX_DETAIL:
        detail = detail[:MAX_DETAIL] + '...'
    raise exception.ValidationError(detail=detail)
