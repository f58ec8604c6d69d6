"""Routing rules as admins manage them: checked, ordered, versioned, and tried out without effect."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shared.runtime import ServiceRuntime
from shared.web.auth import Principal
from shared.web.errors import ApiError
from services.routing.assignment import decide_now, now
from services.routing.domain import RoutedMessage, check_rule
from services.routing.tables import agents, decisions, rule_versions, rules, teams

RULE_FIELDS = ("name", "position", "enabled", "conditions", "actions", "stop")


def rule_dict(row) -> dict:
    return {"id": row.id, "version": row.version, **{f: getattr(row, f) for f in RULE_FIELDS},
            "updated_at": row.updated_at}


def _check(db: Session, data: dict) -> None:
    team_ids = set(db.execute(select(teams.c.id)).scalars())
    agent_ids = set(db.execute(select(agents.c.id)).scalars())
    problems = check_rule(data, team_ids=team_ids, agent_ids=agent_ids)
    if problems:
        details: dict[str, list[str]] = {}
        for problem in problems:
            details.setdefault(problem.path, []).append(problem.message)
        raise ApiError(422, "The rule is invalid: " + "; ".join(f"{p.path}: {p.message}" for p in problems[:5]),
                       details=details)


def _keep_version(db: Session, rule_id: str, version: int, body: dict, principal: Principal) -> None:
    db.execute(insert(rule_versions).values(rule_id=rule_id, version=version, body=body,
                                            changed_by=f"{principal.kind}:{principal.id}", changed_at=now()))


def create_rule(rt: ServiceRuntime, principal: Principal, data: dict) -> dict:
    with rt.db.transaction() as db:
        _check(db, data)
        rule_id = str(uuid.uuid4())
        body = {f: data[f] for f in RULE_FIELDS}
        db.execute(insert(rules).values(id=rule_id, version=1, deleted=False, updated_at=now(), **body))
        _keep_version(db, rule_id, 1, body, principal)
    return get_rule(rt, rule_id)


def replace_rule(rt: ServiceRuntime, principal: Principal, rule_id: str, data: dict) -> dict:
    with rt.db.transaction() as db:
        row = _live_rule(db, rule_id)
        _check(db, data)
        body = {f: data[f] for f in RULE_FIELDS}
        db.execute(update(rules).where(rules.c.id == rule_id).values(version=row.version + 1, updated_at=now(), **body))
        _keep_version(db, rule_id, row.version + 1, body, principal)
    return get_rule(rt, rule_id)


def delete_rule(rt: ServiceRuntime, principal: Principal, rule_id: str) -> None:
    """Rules are retired, not erased: past decisions still name the version they used."""
    with rt.db.transaction() as db:
        row = _live_rule(db, rule_id)
        db.execute(update(rules).where(rules.c.id == rule_id).values(deleted=True, version=row.version + 1,
                                                                      updated_at=now()))
        _keep_version(db, rule_id, row.version + 1, {"deleted": True}, principal)


def _live_rule(db: Session, rule_id: str):
    row = db.execute(select(rules).where(rules.c.id == rule_id, rules.c.deleted.is_(False))).first()
    if row is None:
        raise ApiError(404, "No such rule")
    return row


def get_rule(rt: ServiceRuntime, rule_id: str) -> dict:
    with rt.db.reading() as db:
        return rule_dict(_live_rule(db, rule_id))


def list_rules(rt: ServiceRuntime) -> list[dict]:
    with rt.db.reading() as db:
        rows = db.execute(select(rules).where(rules.c.deleted.is_(False)).order_by(rules.c.position, rules.c.id)).all()
        return [rule_dict(r) for r in rows]


def list_versions(rt: ServiceRuntime, rule_id: str) -> list[dict]:
    with rt.db.reading() as db:
        rows = db.execute(select(rule_versions).where(rule_versions.c.rule_id == rule_id)
                          .order_by(rule_versions.c.version)).all()
    if not rows:
        raise ApiError(404, "No such rule")
    return [{"version": r.version, "rule": r.body, "changed_by": r.changed_by, "changed_at": r.changed_at}
            for r in rows]


def list_decisions(rt: ServiceRuntime, conversation_id: str) -> list[dict]:
    with rt.db.reading() as db:
        rows = db.execute(select(decisions).where(decisions.c.conversation_id == conversation_id)
                          .order_by(decisions.c.created_at, decisions.c.id)).all()
    return [{"id": r.id, "agent_id": r.agent_id, "team_id": r.team_id, "explanation": r.explanation,
             "created_at": r.created_at} for r in rows]


def simulate(rt: ServiceRuntime, message: dict, contact: dict | None) -> dict:
    """The decision routing would take now for this message, and why; nothing is changed."""
    contact = contact or {"attributes": {}, "lifecycle_stage": "prospect", "last_agent_id": None}
    routed = RoutedMessage(channel=message["channel"], text=message["text"], subject=message["subject"],
                           sender=message["from"],
                           contact={**contact["attributes"], "lifecycle_stage": contact["lifecycle_stage"]},
                           labels=tuple(message["labels"]), priority=message["priority"],
                           last_agent_id=contact["last_agent_id"])
    with rt.db.reading() as db:
        decision = decide_now(db, routed)
    return {"team_id": decision.team_id, "agent_id": decision.agent_id, "priority": decision.priority,
            "labels": list(decision.labels), "required_skills": list(decision.required_skills),
            "waiting": decision.waiting, "explanation": decision.explanation}
