"""What one GraphQL request carries: its reader (time budget, query counter), settings, loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from graphql import GraphQLResolveInfo
from strawberry.dataloader import DataLoader

from mastgraph.graph import read
from mastgraph.graph.settings import Settings

from .selection import Walker, label_of


@dataclass
class RequestContext:
    reader: read.Reader
    settings: Settings
    #: Compile nested relation fields into their parent's query (one query per request), or
    #: load them level by level (one query per relation field and nesting level).
    nested: bool = True
    #: Report the Cypher round trips in the response's `extensions` (header X-Mastgraph-Debug: 1).
    debug: bool = False
    request: Any = None
    loaders: dict[Any, DataLoader] = field(default_factory=dict)
    #: Relation fields already compiled, by (parent type, field node): siblings share one.
    children: dict[tuple[str, int], read.Child] = field(default_factory=dict)

    def walker(self, info: GraphQLResolveInfo) -> Walker:
        return Walker.of(info, self.settings.max_page_size, self.nested)

    def load_related(self, info: GraphQLResolveInfo, source: dict) -> Any:
        """A relation field not fetched with its parent: batched with its siblings (DataLoader)."""
        parent = info.parent_type
        compiled = (parent.name, id(info.field_nodes[0]))
        child = self.children.get(compiled)
        if child is None:
            child = self.walker(info).child(info.path.key, parent.fields[info.field_name], info.field_nodes)
            self.children[compiled] = child
        label = label_of(parent)
        loader = self.loaders.get((label, child))
        if loader is None:
            loader = DataLoader(load_fn=partial(self._load_children, label, child))
            self.loaders[(label, child)] = loader
        return loader.load(source[read.KEY_FIELDS[label]])

    async def _load_children(self, label, child: read.Child, keys: list[Any]) -> list[Any]:
        found = await read.fetch_children(self.reader, label, keys, child)
        return [found[key] if key in found else _nothing(child) for key in keys]


def _nothing(child: read.Child) -> Any:
    link = read.LINKS[child.link]
    if link.single:
        return None
    if link.page:
        return {"first": child.page.first if child.page else 0, "items": [], "total_count": 0}
    return []
