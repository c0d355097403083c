/*
 * catalog_cards: studio cards (legacy name "nodes"), seed 002:
 *   POST   /v1/nodes             create (card_type or node_type), edges
 *   GET    /v1/nodes             ?type= &parent_id= &globals_only=1 &limit= &offset=
 *   GET    /v1/nodes/{id}        {node, card, edges}
 *   DELETE /v1/nodes/{id}        soft delete {ok, soft_deleted}
 *   GET    /v1/cards/{id}/render {card, rendered}
 *   GET    /v1/cards/search      503 semantic_search_disabled unless config
 *                                embedding_provider is set; "local" = a
 *                                case-insensitive substring search
 * Cards belong to one workspace; another workspace's id is 404.
 */
#ifndef CATALOG_CARDS_H
#define CATALOG_CARDS_H

#include "mg_ctx.h"

int	catalog_h_node_create(struct mg_ctx *);
int	catalog_h_node_list(struct mg_ctx *);
int	catalog_h_node_get(struct mg_ctx *);
int	catalog_h_node_delete(struct mg_ctx *);
int	catalog_h_card_render(struct mg_ctx *);
int	catalog_h_card_search(struct mg_ctx *);

/* 1 when t is a card type this API knows (character, location, ...). */
int	catalog_card_type_known(const char *t);

/* 1 when s is an absolute http(s) URL of at most 2048 bytes, no spaces. */
int	catalog_url_valid(const char *s);

#endif
