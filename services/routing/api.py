"""Admin and agent API of the routing service: login, teams, agents, presence, rules, simulation."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from shared.web.auth import current_principal, issue_agent_token, require_admin
from shared.web.errors import ApiError
from services.routing import directory, rulebook

blp = Blueprint("routing", __name__, url_prefix="/api/v1", description="Teams, agents, presence and routing rules")
PRESENCE = ("online", "away", "offline")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class _JsonBoolean(fields.Boolean):
    """JSON true or false only: "no" or 0 must not be taken for a yes or a no (it decides who can log in)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class LoginIn(_Strict):
    email = fields.String(required=True, validate=validate.Length(min=1, max=320))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class AssignmentIn(_Strict):
    strategy = fields.String(load_default="round_robin", validate=validate.OneOf(("round_robin", "least_busy")))


class TeamIn(_Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    assignment = fields.Nested(AssignmentIn, load_default=lambda: {"strategy": "round_robin"})
    max_wait_seconds = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    offline_policy = fields.String(load_default="keep", validate=validate.OneOf(("keep", "requeue")))


class TeamPatch(_Strict):
    name = fields.String(validate=validate.Length(min=1, max=200))
    assignment = fields.Nested(AssignmentIn)
    max_wait_seconds = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    offline_policy = fields.String(validate=validate.OneOf(("keep", "requeue")))


class AgentIn(_Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(required=True)
    password = fields.String(required=True, validate=validate.Length(min=8, max=1000))
    role = fields.String(load_default="agent", validate=validate.OneOf(("agent", "admin")))
    teams = fields.List(fields.String(), load_default=list)
    skills = fields.List(fields.String(validate=validate.Length(min=1, max=50)), load_default=list)
    capacity = fields.Float(load_default=5, validate=validate.Range(min=0, max=1000))
    presence = fields.String(load_default="offline", validate=validate.OneOf(PRESENCE))


class AgentPatch(_Strict):
    name = fields.String(validate=validate.Length(min=1, max=200))
    email = fields.Email()
    password = fields.String(validate=validate.Length(min=8, max=1000))
    role = fields.String(validate=validate.OneOf(("agent", "admin")))
    teams = fields.List(fields.String())
    skills = fields.List(fields.String(validate=validate.Length(min=1, max=50)))
    capacity = fields.Float(validate=validate.Range(min=0, max=1000))
    # False deactivates: no login, no new conversations, open ones follow the teams' offline policy.
    active = _JsonBoolean()


class PresenceIn(_Strict):
    status = fields.String(required=True, validate=validate.OneOf(PRESENCE))


class RuleIn(Schema):
    """Rules are checked by the routing domain, which names the exact bad part."""

    class Meta:
        unknown = RAISE

    name = fields.Raw(required=True)
    position = fields.Raw(load_default=0)
    enabled = fields.Raw(load_default=True)
    conditions = fields.Raw(load_default=dict)
    actions = fields.Raw(load_default=list)
    stop = fields.Raw(load_default=False)


class SimulatedMessage(_Strict):
    channel = fields.String(required=True, validate=validate.OneOf(("email", "sms", "chat")))
    from_ = fields.String(data_key="from", required=True)
    text = fields.String(load_default="")
    subject = fields.String(load_default="")
    labels = fields.List(fields.String(), load_default=list)
    priority = fields.String(load_default="normal")


class SimulatedContact(_Strict):
    attributes = fields.Dict(keys=fields.String(), load_default=dict)
    lifecycle_stage = fields.String(load_default="prospect", validate=validate.Length(max=50))
    last_agent_id = fields.String(load_default=None, allow_none=True)


class SimulateIn(_Strict):
    message = fields.Nested(SimulatedMessage, required=True)
    contact = fields.Nested(SimulatedContact, load_default=None, allow_none=True)


def _rt():
    return current_app.extensions["switchboard_routing"].runtime


def _caller(*, admin: bool = False):
    """The caller; an agent deactivated after their token was issued is refused (401), as the inbox does."""
    principal = current_principal()
    if principal.kind == "agent":
        directory.check_active(_rt(), principal.id)
    return require_admin() if admin else principal


@blp.route("/auth/login")
class Login(MethodView):
    @blp.arguments(LoginIn)
    @blp.doc(security=[])
    def post(self, data):
        """Log in as an agent; the token expires."""
        agent = directory.check_login(_rt(), data["email"], data["password"])
        token = issue_agent_token(_rt().settings, agent_id=agent["id"], name=agent["name"], role=agent["role"],
                                  team_ids=agent["teams"])
        return {"token": token, "agent": agent}


@blp.route("/teams")
class Teams(MethodView):
    def get(self):
        _caller()
        return {"items": directory.list_teams(_rt())}

    @blp.arguments(TeamIn)
    def post(self, data):
        _caller(admin=True)
        return directory.create_team(_rt(), data), 201


@blp.route("/teams/<team_id>")
class TeamById(MethodView):
    def get(self, team_id):
        _caller()
        return directory.get_team(_rt(), team_id)

    @blp.arguments(TeamPatch)
    def patch(self, data, team_id):
        """Rename a team or change its strategy, waiting limit (max_wait_seconds) or offline policy."""
        _caller(admin=True)
        return directory.update_team(_rt(), team_id, data)


@blp.route("/agents")
class Agents(MethodView):
    def get(self):
        _caller()
        return {"items": directory.list_agents(_rt())}

    @blp.arguments(AgentIn)
    def post(self, data):
        _caller(admin=True)
        return directory.create_agent(_rt(), data), 201


@blp.route("/agents/<agent_id>")
class AgentById(MethodView):
    def get(self, agent_id):
        principal = _caller()
        return directory.get_agent(_rt(), principal.id if agent_id == "me" else agent_id)

    @blp.arguments(AgentPatch)
    def patch(self, data, agent_id):
        """Change an agent (teams, skills, capacity, active, ...); others learn of it through `agent.updated`."""
        _caller(admin=True)
        return directory.update_agent(_rt(), agent_id, data)


@blp.route("/agents/<agent_id>/presence", methods=["PUT"])
@blp.arguments(PresenceIn)
def put_presence(data, agent_id):
    """Online, away or offline; an agent coming online is handed waiting conversations at once."""
    principal = _caller()
    if agent_id == "me":
        if principal.kind != "agent":
            raise ApiError(403, "Only an agent has a presence of its own")
        agent_id = principal.id
    elif not principal.is_admin and agent_id != principal.id:
        raise ApiError(403, "Only admins set other agents' presence")
    return directory.set_presence(_rt(), agent_id, data["status"])


@blp.route("/routing/rules")
class Rules(MethodView):
    def get(self):
        _caller(admin=True)
        return {"items": rulebook.list_rules(_rt())}

    @blp.arguments(RuleIn)
    def post(self, data):
        principal = _caller(admin=True)
        return rulebook.create_rule(_rt(), principal, data), 201


@blp.route("/routing/rules/<rule_id>")
class RuleById(MethodView):
    def get(self, rule_id):
        _caller(admin=True)
        return rulebook.get_rule(_rt(), rule_id)

    @blp.arguments(RuleIn)
    def put(self, data, rule_id):
        principal = _caller(admin=True)
        return rulebook.replace_rule(_rt(), principal, rule_id, data)

    def delete(self, rule_id):
        principal = _caller(admin=True)
        rulebook.delete_rule(_rt(), principal, rule_id)
        return "", 204


@blp.route("/routing/rules/<rule_id>/versions")
def rule_versions(rule_id):
    """Every version of a rule as it was saved, oldest first (decisions name the version they used)."""
    _caller(admin=True)
    return {"items": rulebook.list_versions(_rt(), rule_id)}


@blp.route("/routing/conversations/<conversation_id>/decisions")
def conversation_decisions(conversation_id):
    """Every routing decision taken for a conversation, oldest first, each with its explanation."""
    _caller(admin=True)
    return {"items": rulebook.list_decisions(_rt(), conversation_id)}


@blp.route("/routing/simulate", methods=["POST"])
@blp.arguments(SimulateIn)
def simulate(data):
    """The decision that would be taken now, and why; nothing changes."""
    _caller(admin=True)
    return rulebook.simulate(_rt(), data["message"] | {"from": data["message"].pop("from_")}, data["contact"])
