"""Hostile input: what a forged request, a broken client or an attacker sends.

Plain data, read by tests/test_hostile_input.py. Each case is (name, input, expected
status); the name is the test's id. Every one must be answered with a 4xx carrying a clear
message (the site's error page, or the API's JSON error) and store nothing, or, for the
texts at the end, be stored harmlessly: as typed, or without its control characters.

The survey cases are added to an otherwise valid answer of the questionnaire that asks one
question of each type (tests/builders.py: nps, csat, ces, rating 1-4, likert 1-7, channel,
extras, city, story, felt), so a case that were ignored would store a response and fail.
"""

from __future__ import annotations

# --- the survey page: POST /s/<slug>, urlencoded ------------------------------------------

# Sent with the CSRF token and a submission key; valid on its own (stored when alone).
VALID_ANSWERS = b"q_nps=9&q_story=Delivery+was+fine"

SURVEY_FORMS = [
    # Not UTF-8: werkzeug would keep the bytes as "%FF" text; no browser sends them.
    ("invalid_utf8_value", b"q_city=%FF%FE", 400),
    ("invalid_utf8_raw_bytes", b"q_city=\xff\xfe", 400),
    ("invalid_utf8_name", b"q_%FF=1", 400),
    ("overlong_utf8_slash", b"q_city=%C0%AF", 400),
    ("utf8_encoded_surrogate", b"q_city=%ED%A0%80", 400),
    ("truncated_utf8", b"q_city=caf%C3", 400),
    # NUL: PostgreSQL text cannot hold it.
    ("nul_in_value", b"q_city=Ly%00on", 400),
    ("nul_in_name", b"q_ci%00ty=Lyon", 400),
    ("nul_in_submission_key", b"submission_key=%00", 400),
    # Questions that no version of the questionnaire ever asked.
    ("unknown_question", b"q_does_not_exist=7", 400),
    ("unknown_question_sql", b"q_nps%27+OR+1%3D1+--=7", 400),
    ("unknown_question_template", b"q_%7B%7B7*7%7D%7D=7", 400),
    # Scores: ASCII digits on the question's scale only.
    ("very_long_number", b"q_csat=" + b"9" * 5000, 422),
    ("negative_score", b"q_csat=-1", 422),
    ("fractional_score", b"q_csat=3.5", 422),
    ("fractional_score_comma", b"q_csat=3%2C5", 422),
    ("exponent_score", b"q_csat=4e0", 422),
    ("plus_signed_score", b"q_csat=%2B4", 422),
    ("hex_score", b"q_csat=0x4", 422),
    ("arabic_indic_digit", "q_csat=٤".encode(), 422),
    ("superscript_digit", "q_csat=²".encode(), 422),
    ("fullwidth_digit", "q_csat=４".encode(), 422),
    ("score_above_scale", b"q_csat=6", 422),
    ("score_below_scale", b"q_ces=0", 422),
    ("score_sql", b"q_csat=4%27+OR+1%3D1+--", 422),
    ("score_template", b"q_csat=%7B%7B7*7%7D%7D", 422),
    ("nan_score", b"q_csat=NaN", 422),
    # Repeated fields: one value per question (a multiple choice excepted).
    ("repeated_score", b"q_csat=4&q_csat=5", 422),
    ("repeated_text", b"q_city=Lyon&q_city=Paris", 422),
    ("repeated_choice", b"q_channel=web&q_channel=store", 422),
    # Choices that are not among the options.
    ("unknown_choice_sql", b"q_channel=%27+OR+1%3D1+--", 422),
    ("unknown_choice_template", b"q_extras=case&q_extras=%7B%25+raw+%25%7D", 422),
    ("unknown_emotion_markup", b"q_felt=%3Cscript%3E", 422),
    # Over the documented limits.
    ("short_text_over_limit", b"q_city=" + b"x" * 301, 422),
    ("long_text_over_limit", b"q_story=" + b"y" * 5001, 422),
]

# Bodies that are not forms: no page of ours sends them.
SURVEY_CONTENT_TYPES = [
    ("json", b'{"q_nps": "9"}', "application/json"),
    ("json_list", b"[1, 2]", "application/json"),
    ("text_plain", b"q_nps=9", "text/plain"),
    ("xml", b"<q_nps>9</q_nps>", "application/xml"),
    ("octet_stream", b"\x00\x01\x02", "application/octet-stream"),
]

WRONG_METHODS = ["PUT", "PATCH", "DELETE"]

# Paths that look for files, other slugs or the database's edge cases: (path, status).
SLUG_TRICKS = [
    ("/s/..%2f..%2fetc%2fpasswd", 404),
    ("/s/..%2F..%2Fetc", 404),
    ("/s/%2e%2e", 404),
    ("/s/..", 404),
    ("/s/a/../../etc/passwd", 404),
    ("/s/%00", 400),
    ("/s/abc%00def", 400),
    ("/s/%FF%FE", 404),
    ("/s/%C0%AF", 404),
    ("/s/%E2%80%AE" + "cba", 404),  # U+202E
    ("/s/caf%C3%A9", 404),
    ("/s/" + "a" * 5000, 404),
    ("/s/%27%20OR%201%3D1%20--", 404),
    ("/s/%7B%7B7*7%7D%7D", 404),
    ("/s/%24%7B7*7%7D", 404),
    ("/s/%25", 404),
    ("/s/?t=%00", 400),
]

# --- the login: POST /login ---------------------------------------------------------------

# Added to the CSRF token; the account is researcher@example.com with the test password.
LOGIN_FORMS = [
    ("invalid_utf8_email", b"email=a%FF%40example.com&password=x", 400),
    ("invalid_utf8_password", b"email=researcher%40example.com&password=%FF", 400),
    ("nul_in_email", b"email=researcher%40example.com%00&password=x", 400),
    ("nul_in_password", b"email=researcher%40example.com&password=a%00", 400),
    ("very_long_email", b"email=" + b"a" * 100_000 + b"%40example.com&password=x", 400),
    ("very_long_password", b"email=researcher%40example.com&password=" + b"p" * 100_000, 400),
    ("sql_email", b"email=%27+OR+1%3D1+--&password=%27+OR+1%3D1+--", 400),
    ("sql_email_valid_shape", b"email=a%27--%40example.com&password=%27+OR+%271%27%3D%271", 401),
    ("template_password", b"email=researcher%40example.com&password=%7B%7B7*7%7D%7D", 401),
    ("bidi_email", "email=researcher@example.com\u202e&password=x".encode(), 401),
    ("repeated_fields", b"email=x%40example.com&email=researcher%40example.com&password=x", 401),
    ("missing_password", b"email=researcher%40example.com", 400),
]

# --- the JSON API -------------------------------------------------------------------------

# POST /api/v1/questionnaires/<id>/responses on the every-type questionnaire, raw bodies:
# (name, body, status, error code).
RESPONSE_BODIES = [
    ("duplicate_top_key", b'{"language": "en", "language": "fr", "answers": {"nps": 9}}', 400,
     "duplicate_key"),
    ("duplicate_answer_key", b'{"language": "en", "answers": {"nps": 9, "nps": 0}}', 400,
     "duplicate_key"),
    ("duplicate_metadata_key", b'{"language": "en", "answers": {"nps": 9}, '
     b'"metadata": {"channel": "web", "channel": "store"}}', 400, "duplicate_key"),
    ("invalid_utf8", b'{"language": "en", "answers": {"story": "\xff\xfe"}}', 400, "invalid_json"),
    ("invalid_utf8_in_key", b'{"language": "en", "answers": {"st\xc3ory": "x"}}', 400,
     "invalid_json"),
    ("lone_surrogate_in_name", b'{"language": "en", "answers": {"\\ud800": 1}}', 400,
     "invalid_json"),
    ("very_long_number", b'{"language": "en", "answers": {"nps": ' + b"9" * 5000 + b"}}", 400,
     "invalid_json"),
    ("long_number_in_range_of_the_parser", b'{"language": "en", "answers": {"nps": '
     + b"9" * 4000 + b"}}", 422, "validation_error"),
    ("huge_exponent", b'{"language": "en", "answers": {"nps": 1e400}}', 422, "validation_error"),
    ("negative_score", b'{"language": "en", "answers": {"nps": -1}}', 422, "validation_error"),
    ("fractional_score", b'{"language": "en", "answers": {"nps": 7.5}}', 422, "validation_error"),
    ("score_as_text_sql", b'{"language": "en", "answers": {"nps": "9 OR 1=1"}}', 422,
     "validation_error"),
    ("score_as_boolean", b'{"language": "en", "answers": {"nps": true}}', 422, "validation_error"),
    ("unknown_question", b'{"language": "en", "answers": {"nps": 9, "nope": 1}}', 422,
     "validation_error"),
    ("unknown_question_template", b'{"language": "en", "answers": {"nps": 9, "{{7*7}}": 1}}', 422,
     "validation_error"),
    ("unknown_choice", b'{"language": "en", "answers": {"channel": "\' OR 1=1 --"}}', 422,
     "validation_error"),
    ("nul_in_text", b'{"language": "en", "answers": {"story": "a\\u0000b"}}', 422,
     "validation_error"),
    ("nested_answer", b'{"language": "en", "answers": {"story": {"$gt": ""}}}', 422,
     "validation_error"),
    ("deeply_nested", b'{"language": "en", "answers": {"story": ' + b"[" * 50 + b"]" * 50
     + b"}}", 422, "validation_error"),
    ("array_body", b"[1, 2]", 422, "validation_error"),
    ("null_body", b"null", 422, "validation_error"),
    ("not_json", b"language=en", 400, "invalid_json"),
    ("nan", b'{"language": "en", "answers": {"nps": NaN}}', 400, "invalid_json"),
    ("too_many_answers", b'{"language": "en", "answers": {'
     + b", ".join(b'"k%d": 1' % i for i in range(300)) + b"}}", 422, "validation_error"),
]  # fmt: skip

# POST /api/v1/invitations; "{qid}" is the questionnaire's id.
INVITATION_BODIES = [
    ("duplicate_key", '{"questionnaire_id": {qid}, "customer_ref": "A", "customer_ref": "B"}',
     400, "duplicate_key"),
    ("duplicate_nested_key", '{"questionnaire_id": {qid}, "customer_ref": "A", '
     '"metadata": {"order": "1", "order": "2"}}', 400, "duplicate_key"),
    ("very_long_id", '{"questionnaire_id": ' + "9" * 5000 + ', "customer_ref": "A"}', 400,
     "invalid_json"),
    ("id_beyond_the_database", '{"questionnaire_id": 2147483648, "customer_ref": "A"}', 422,
     "validation_error"),
    ("negative_id", '{"questionnaire_id": -1, "customer_ref": "A"}', 422, "validation_error"),
    ("fractional_id", '{"questionnaire_id": 1.5, "customer_ref": "A"}', 422, "validation_error"),
    ("id_as_sql", '{"questionnaire_id": "1 OR 1=1", "customer_ref": "A"}', 422,
     "validation_error"),
    ("customer_ref_too_long", '{"questionnaire_id": {qid}, "customer_ref": "' + "r" * 201 + '"}',
     422, "validation_error"),
    ("metadata_nested", '{"questionnaire_id": {qid}, "customer_ref": "A", '
     '"metadata": {"x": {"$ne": null}}}', 422, "validation_error"),
    ("metadata_key_markup", '{"questionnaire_id": {qid}, "customer_ref": "A", '
     '"metadata": {"<script>": "1"}}', 422, "validation_error"),
    ("metadata_long_number", '{"questionnaire_id": {qid}, "customer_ref": "A", '
     '"metadata": {"x": ' + "9" * 4000 + "}}", 422, "validation_error"),
    ("email_header_injection", '{"questionnaire_id": {qid}, "customer_ref": "A", '
     '"email": "a@example.com\\r\\nBcc: all@example.com"}', 422, "validation_error"),
    ("expiry_far_off", '{"questionnaire_id": {qid}, "customer_ref": "A", '
     '"expires_at": "9999-12-31T23:59:59-23:59"}', 422, "validation_error"),
    ("language_unknown", '{"questionnaire_id": {qid}, "customer_ref": "A", "language": "xx"}',
     422, "validation_error"),
]  # fmt: skip

# POST /api/v1/questionnaires?journey_id=<id>&stage=purchase: a SurveyJS or Parcours file.
IMPORT_BODIES = [
    ("duplicate_key", b'{"title": "A", "title": "B", "pages": []}', 400, "duplicate_key"),
    ("invalid_utf8", b'{"title": "\xff"}', 400, "invalid_json"),
    ("very_long_number", b'{"pages": [{"elements": [{"type": "rating", "name": "a", '
     b'"rateMax": ' + b"9" * 5000 + b"}]}]}", 400, "invalid_json"),
    ("long_number", b'{"pages": [{"elements": [{"type": "rating", "name": "a", '
     b'"rateMax": ' + b"9" * 4000 + b"}]}]}", 422, "validation_error"),
    ("negative_fractional_scale", b'{"pages": [{"elements": [{"type": "rating", "name": "a", '
     b'"rateMin": 1.5, "rateMax": -5}]}]}', 422, "validation_error"),
    ("deeply_nested", b'{"pages": ' + b"[" * 60 + b"]" * 60 + b"}", 422, "validation_error"),
    ("not_an_object", b'"x"', 422, "validation_error"),
]  # fmt: skip

# --- uploads ------------------------------------------------------------------------------

# The invitation CSV upload: (name, file content, status, words of the message on the page).
CSV_FILES = [
    ("windows_1252", "customer_ref;order\nC-1;Réunion\n".encode("cp1252"), 400, "not UTF-8"),
    ("latin1_name", b"customer_ref\nC-\xe91\n", 400, "not UTF-8"),
    ("utf16", "customer_ref\nC-1\n".encode("utf-16"), 400, "UTF-16"),
    ("nul", b"customer_ref\nC-\x001\n", 400, "NUL"),
    ("xlsx", b"PK\x03\x04\x14\x00\x06\x00", 400, ".xlsx"),
    ("empty", b"", 400, "empty"),
    ("no_header", b"\n\n", 400, "empty"),
    ("no_customer_ref_column", b"<script>alert(1)</script>\nx\n", 400, "customer_ref"),
    ("metadata_column_markup", b'customer_ref,"<img src=x onerror=alert(1)>"\nC-1,x\n', 422,
     "metadata column"),
    ("long_customer_ref", b"customer_ref\n" + b"r" * 201 + b"\n", 422, "At most 200"),
    ("bad_expiry", b"customer_ref,expires_at\nC-1,{{7*7}}\n", 422, "expires_at"),
]  # fmt: skip

# The questionnaire import page: (name, file content, status, words of the message).
JSON_FILES = [
    ("duplicate_key", b'{"title": "A", "title": "B"}', 422, "twice"),
    ("duplicate_nested_key", b'{"pages": [{"name": "p", "name": "q"}]}', 422, "twice"),
    ("invalid_utf8", b'{"title": "\xff"}', 422, "UTF-8"),
    ("utf16", '{"title": "A"}'.encode("utf-16"), 422, "UTF-8"),
    ("very_long_number", b'{"pages": [{"elements": [{"type": "rating", "name": "a", '
     b'"rateMax": ' + b"9" * 5000 + b"}]}]}", 422, "not JSON"),
    ("deeply_nested", b"[" * 100_000 + b"]" * 100_000, 422, "not JSON"),
    ("nan", b'{"title": NaN}', 422, "not JSON"),
    ("not_json", b"<script>alert(1)</script>", 422, "not JSON"),
    ("too_large", b'{"title": "' + b"x" * (512 * 1024) + b'"}', 413, "larger than 512 KiB"),
]  # fmt: skip

# --- text that is taken: stored as typed, or without control characters ------------------

# Looks like code to a database or a template engine: stored and shown as typed.
CODE_LOOKING_TEXTS = [
    ("sql_or", "' OR 1=1 --"),
    ("sql_drop", "Robert'); DROP TABLE responses;--"),
    ("jinja_expression", "{{7*7}}"),
    ("jinja_raw", "{% raw %}"),
    ("dollar_expression", "${7*7}"),
    ("format_string", "%s %(x)s {0} %n"),
    ("markup", "<b>bold</b> & <i>co</i>"),
]

# Control and bidi characters: (name, typed, stored).
CONTROL_TEXTS = [
    ("bell_and_escape", "ring\x07 \x1b[31mred", "ring [31mred"),
    ("backspace_vertical_tab", "a\x08b\x0bc\x0cd", "abcd"),
    ("delete_and_c1", "a\x7fb\x85c\x9bd", "abcd"),
    ("right_to_left_override", "invoice \u202egnp.exe\u202c ok", "invoice gnp.exe ok"),
    ("isolates", "a\u2066b\u2067c\u2068d\u2069e", "abcde"),
    ("embeddings", "a\u202ab\u202bc\u202cd\u202de", "abcde"),
    ("carriage_returns", "line 1\r\nline 2\rline 3", "line 1\nline 2\nline 3"),
    ("kept_tab_newline_marks", "a\tb\nc\u200ed\u200ff", "a\tb\nc\u200ed\u200ff"),
    ("kept_emoji_joiner", "👩\u200d💻 ok", "👩\u200d💻 ok"),
]
