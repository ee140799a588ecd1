/* ClearKey license messages (drm/clearkey.h). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "clearkey.h"
#include "platform/alloc.h"
#include "internal.h"

/* A JSON string holding 16 bytes in base64url; 0 or SV_ERR_PARSE. */
static int b64_16(json_t *v, uint8_t out[16])
{
    const char *s = json_string_value(v);
    if (!s)
        return SV_ERR_PARSE;
    return sv__b64url_decode(s, json_string_length(v), out, 16) == 16 ? 0 : SV_ERR_PARSE;
}

static json_t *b64_string(const uint8_t v[16])
{
    char text[32];
    sv__b64url_encode(v, 16, text, sizeof(text));
    return json_string(text);
}

/* The compact text of `root` (released) in a string from `alloc`: dumped
 * into our own memory, not jansson's. */
static int dump(json_t *root, const sv_allocator *alloc, char **out)
{
    if (!root)
        return SV_ERR_NOMEM;
    size_t n = json_dumpb(root, NULL, 0, JSON_COMPACT);
    char *text = n ? sv__malloc(alloc, n + 1) : NULL;
    if (text && json_dumpb(root, text, n, JSON_COMPACT) == n) {
        text[n] = '\0';
    } else {
        sv__free(alloc, text);
        text = NULL;
    }
    json_decref(root);
    *out = text;
    return text ? 0 : SV_ERR_NOMEM;
}

int sv__clearkey_request_write(const uint8_t (*kids)[16], size_t n, const sv_allocator *alloc,
                               char **out)
{
    json_t *root = NULL, *arr = NULL;

    if (!kids || !n || !out)
        return SV_ERR_INVALID;
    root = json_object();
    arr = json_array();
    if (!root || !arr || json_object_set_new(root, "kids", arr) < 0) {
        json_decref(arr);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        if (json_array_append_new(arr, b64_string(kids[i])) < 0)
            goto fail;
    }
    if (json_object_set_new(root, "type", json_string("temporary")) < 0)
        goto fail;
    return dump(root, alloc, out);
fail:
    json_decref(root);
    return SV_ERR_NOMEM;
}

/* Loads a JSON object and finds its non-empty array `key`; allocates room
 * for that many elements of elem_size bytes. Returns 0 (the caller owns
 * *root and *list), SV_ERR_NOMEM, or 1 when the text or the array is missing
 * (the caller picks its own error code then). */
static int load_array(const uint8_t *json, size_t size, const char *key, size_t elem_size,
                      const sv_allocator *alloc, json_t **root, json_t **arr, size_t *count,
                      void **list)
{
    *list = NULL;
    *root = json ? json_loadb((const char *)json, size, 0, NULL) : NULL;
    *arr = json_object_get(*root, key);
    *count = json_array_size(*arr);
    if (!json_is_array(*arr) || *count == 0)
        return 1;
    if (!(*list = sv__calloc(alloc, *count, elem_size)))
        return SV_ERR_NOMEM;
    return 0;
}

int sv__clearkey_request_parse(const uint8_t *json, size_t size, uint8_t (**kids)[16], size_t *n)
{
    json_t *root, *arr;
    void *mem;
    size_t count;
    int ret = load_array(json, size, "kids", 16, NULL, &root, &arr, &count, &mem);
    uint8_t (*list)[16] = mem;

    if (ret != 0) {
        ret = ret < 0 ? ret : SV_ERR_PARSE;
        goto fail;
    }
    ret = SV_ERR_PARSE;
    for (size_t i = 0; i < count; i++) {
        if (b64_16(json_array_get(arr, i), list[i]) < 0)
            goto fail;
    }
    *kids = list;
    *n = count;
    list = NULL;
    ret = 0;
fail:
    sv__free(NULL, list);
    json_decref(root);
    return ret;
}

int sv__clearkey_license_write(const sv__clearkey_key *keys, size_t n, char **out)
{
    json_t *root = json_object(), *arr = json_array();

    if (!root || !arr || json_object_set_new(root, "keys", arr) < 0) {
        json_decref(arr);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *jwk = json_object();
        if (json_array_append_new(arr, jwk) < 0 ||
            json_object_set_new(jwk, "kty", json_string("oct")) < 0 ||
            json_object_set_new(jwk, "k", b64_string(keys[i].key)) < 0 ||
            json_object_set_new(jwk, "kid", b64_string(keys[i].kid)) < 0)
            goto fail;
    }
    if (json_object_set_new(root, "type", json_string("temporary")) < 0)
        goto fail;
    return dump(root, NULL, out);
fail:
    json_decref(root);
    return SV_ERR_NOMEM;
}

int sv__clearkey_license_parse(const uint8_t *json, size_t size, const sv_allocator *alloc,
                               sv__clearkey_key **keys, size_t *n)
{
    json_t *root, *arr;
    sv__clearkey_key *list;
    void *mem;
    size_t count;
    int ret;

    if (!json || !keys || !n)
        return SV_ERR_INVALID;
    ret = load_array(json, size, "keys", sizeof(*list), alloc, &root, &arr, &count, &mem);
    list = mem;
    if (ret != 0) {
        ret = ret < 0 ? ret : SV_ERR_DRM;
        goto fail;
    }
    ret = SV_ERR_DRM;
    for (size_t i = 0; i < count; i++) {
        json_t *jwk = json_array_get(arr, i);
        const char *kty = json_string_value(json_object_get(jwk, "kty"));
        if (!kty || strcmp(kty, "oct") != 0 ||
            b64_16(json_object_get(jwk, "k"), list[i].key) < 0 ||
            b64_16(json_object_get(jwk, "kid"), list[i].kid) < 0)
            goto fail;
    }
    *keys = list;
    *n = count;
    list = NULL;
    ret = 0;
fail:
    if (list)
        memset(list, 0, count * sizeof(*list)); /* keys must not linger in freed memory */
    sv__free(alloc, list);
    json_decref(root);
    return ret;
}
