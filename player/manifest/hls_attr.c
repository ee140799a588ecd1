/*
 * The attribute-list tokenizer of HLS tags (RFC 8216 section 4.2):
 *   AttributeName=AttributeValue[,AttributeName=AttributeValue...]
 * where a value is a quoted string (no '"', CR or LF inside) or a run of
 * characters without ','. Whitespace around separators is tolerated, as
 * players in the wild must.
 */
#include "player/manifest/hls.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

int sv__hls_attrs_split(const char *s, size_t len, sv__hls_attr *out, int max)
{
    size_t i = 0;
    int n = 0;

    while (i < len) {
        while (i < len && (is_space(s[i]) || s[i] == ','))
            i++;
        if (i == len)
            break;
        if (n == max)
            return SV_ERR_PARSE;
        sv__hls_attr *a = &out[n];
        a->name = s + i;
        while (i < len && s[i] != '=' && s[i] != ',')
            i++;
        if (i == len || s[i] != '=')
            return SV_ERR_PARSE;
        a->name_len = (size_t)(s + i - a->name);
        while (a->name_len && is_space(a->name[a->name_len - 1]))
            a->name_len--;
        if (!a->name_len)
            return SV_ERR_PARSE;
        i++; /* '=' */
        while (i < len && is_space(s[i]))
            i++;
        if (i < len && s[i] == '"') {
            a->quoted = 1;
            a->value = s + ++i;
            while (i < len && s[i] != '"')
                i++;
            if (i == len)
                return SV_ERR_PARSE;
            a->value_len = (size_t)(s + i - a->value);
            i++; /* closing quote */
            while (i < len && is_space(s[i]))
                i++;
            if (i < len && s[i] != ',')
                return SV_ERR_PARSE;
        } else {
            a->quoted = 0;
            a->value = s + i;
            while (i < len && s[i] != ',')
                i++;
            a->value_len = (size_t)(s + i - a->value);
            while (a->value_len && is_space(a->value[a->value_len - 1]))
                a->value_len--;
        }
        n++;
    }
    return n;
}
