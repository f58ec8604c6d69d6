"""The words a Switchboard routing rule may use, and the limits that keep every rule cheap to run."""

# Fields read straight from the message or its conversation; `contact.<attribute>` is open-ended.
MESSAGE_FIELDS = frozenset(
    {"channel", "text", "subject", "from", "conversation.labels", "conversation.priority"}
)
CONTACT_PREFIX = "contact."

OPERATORS = frozenset(
    {
        "eq",
        "neq",
        "contains",
        "not_contains",
        "contains_any",
        "starts_with",
        "matches",
        "in",
        "gt",
        "lt",
        "exists",
    }
)
GROUP_KINDS = ("all", "any")

# Each action type and the one key that carries its argument.
ACTION_ARGUMENTS = {
    "assign_team": "team_id",
    "set_priority": "value",
    "add_label": "value",
    "require_skill": "value",
    "assign_agent": "agent_id",
}

PRIORITIES = ("low", "normal", "high", "urgent")
DEFAULT_PRIORITY = "normal"

STRATEGIES = ("round_robin", "least_busy")
DEFAULT_STRATEGY = "round_robin"

MAX_DEPTH = 10
MAX_CONDITIONS = 100
MAX_ACTIONS = 50
MAX_LIST_ITEMS = 100
MAX_VALUE_LENGTH = 1_000
MAX_NAME_LENGTH = 200
MAX_POSITION = 1_000_000
MAX_LABEL_LENGTH = 100
MAX_PATTERN_LENGTH = 500

# A regex sees only the start of a field: even a safe pattern costs time that grows with
# the square of its input, and 2,000 characters keep the worst case to a few milliseconds.
MATCH_INPUT_LIMIT = 2_000
# Other comparisons read at most this much of a field; long quoted threads past it do not
# say where a conversation should go.
TEXT_INPUT_LIMIT = 100_000
