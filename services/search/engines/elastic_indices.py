"""Creates, rebuilds and drops the Elasticsearch indices behind Switchboard's aliases."""

from __future__ import annotations

from elasticsearch import BadRequestError, Elasticsearch

from services.search.engines.elastic_layout import IndexNames, template_body

# A rebuild copies every message; it may take far longer than an ordinary request.
REBUILD_TIMEOUT_SECONDS = 3600


def ensure_indices(client: Elasticsearch, names: IndexNames) -> None:
    """Install the template and, on a fresh cluster, the first index with both aliases."""
    client.indices.put_index_template(**template_body(names))
    if client.indices.exists_alias(name=names.write_alias):
        return
    try:
        client.indices.create(index=names.first_index, aliases=_aliases_for(names))
    except BadRequestError as error:
        # Another process created it between our check and our request.
        if error.error != "resource_already_exists_exception":
            raise


def indices_behind(client: Elasticsearch, *aliases: str) -> list[str]:
    """The concrete index names the aliases point at now."""
    found = client.indices.get_alias(name=list(aliases), ignore_unavailable=True)
    return sorted(found.body)


def rebuild_index(client: Elasticsearch, names: IndexNames) -> str:
    """Copy every message into a new index and move both aliases to it; return its name."""
    new_index = names.new_index()
    old_indices = indices_behind(client, names.read_alias, names.write_alias)
    client.indices.create(index=new_index)
    # New writes go to the new index from now on, so none is lost during the copy;
    # op_type "create" keeps those newer documents when the copy reaches them.
    client.indices.update_aliases(
        actions=_move(names.write_alias, old_indices, new_index, is_write_index=True)
    )
    client.options(request_timeout=REBUILD_TIMEOUT_SECONDS).reindex(
        source={"index": old_indices},
        dest={"index": new_index, "op_type": "create"},
        conflicts="proceed",
        refresh=True,
        wait_for_completion=True,
    )
    client.indices.update_aliases(actions=_move(names.read_alias, old_indices, new_index))
    if old_indices:
        client.indices.delete(index=old_indices)
    return new_index


def start_rebuild(client: Elasticsearch, names: IndexNames) -> str:
    """Point the write alias at a fresh index, or at the one an unfinished rebuild left; return it."""
    writing = indices_behind(client, names.write_alias)
    if writing and writing != indices_behind(client, names.read_alias):
        return writing[0]
    new_index = names.new_index()
    client.indices.create(index=new_index)
    client.indices.update_aliases(actions=_move(names.write_alias, writing, new_index, is_write_index=True))
    return new_index


def finish_rebuild(client: Elasticsearch, names: IndexNames) -> None:
    """Swap searches over to the rebuilt index in one step and delete the old one."""
    writing = indices_behind(client, names.write_alias)
    old_indices = [name for name in indices_behind(client, names.read_alias) if name not in writing]
    client.indices.refresh(index=writing)
    client.indices.update_aliases(actions=_move(names.read_alias, old_indices, writing[0]))
    if old_indices:
        client.indices.delete(index=old_indices)


def drop_indices(client: Elasticsearch, names: IndexNames) -> None:
    """Delete every index and the template of this installation (tests, resets)."""
    # Deleting by wildcard is refused by default (action.destructive_requires_name).
    found = client.indices.get(index=names.pattern, allow_no_indices=True)
    if found.body:
        client.indices.delete(index=sorted(found.body))
    client.options(ignore_status=404).indices.delete_index_template(name=names.template)


def _aliases_for(names: IndexNames) -> dict[str, dict[str, bool]]:
    return {names.read_alias: {}, names.write_alias: {"is_write_index": True}}


def _move(
    alias: str, old_indices: list[str], new_index: str, *, is_write_index: bool = False
) -> list[dict[str, object]]:
    """Alias actions that ES applies atomically: away from the old, onto the new."""
    removals: list[dict[str, object]] = [
        {"remove": {"index": old, "alias": alias}} for old in old_indices
    ]
    addition = {"index": new_index, "alias": alias, "is_write_index": is_write_index}
    return [*removals, {"add": addition}]
