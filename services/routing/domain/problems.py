"""A problem found in a rule, named by where it sits so an admin can fix exactly that part."""

from dataclasses import dataclass

# Keys longer than this are cut in paths; they are wrong anyway and the path must stay readable.
KEY_SHOWN_LENGTH = 50


@dataclass(frozen=True)
class RuleProblem:
    """One thing wrong with a rule; `path` is like `conditions.all[1].op` or `actions[0].team_id`."""

    path: str
    message: str

    def to_dict(self) -> dict:
        """The problem as JSON-ready data for an error response."""
        return {"path": self.path, "message": self.message}


def key_path(path: str, key: object) -> str:
    """The path of a key inside an object at `path`."""
    name = key[:KEY_SHOWN_LENGTH] if isinstance(key, str) else "<non-text key>"
    return f"{path}.{name}" if path else name


def item_path(path: str, index: int) -> str:
    """The path of an item inside a list at `path`."""
    return f"{path}[{index}]"
