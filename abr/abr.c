/*
 * abr.c - the rule registry and rule instances (sv_abr).
 *
 * Argument checks happen here, once, so the rules can trust their input.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "platform/alloc.h"
#include "internal.h"

struct sv_abr {
    const sv_abr_rule *rule;
    sv_allocator alloc;
    int has_alloc;
    double params[SV__ABR_MAX_PARAMS];
    double state[];  /* rule->state_size bytes */
};

static const sv_abr_rule *const rules[] = {
    &sv_abr_rule_bba,
    &sv_abr_rule_bola,
    &sv_abr_rule_throughput,
    &sv_abr_rule_mpc,
    &sv_abr_rule_hybrid,
};

#define NUM_RULES (sizeof(rules) / sizeof(rules[0]))

void *sv__abr_alloc(const sv_allocator *a, size_t size)
{
    return sv__malloc(a, size);
}

void sv__abr_free(const sv_allocator *a, void *p)
{
    sv__free(a, p);
}

size_t sv_abr_rule_count(void)
{
    return NUM_RULES;
}

const sv_abr_rule *sv_abr_rule_at(size_t i)
{
    return i < NUM_RULES ? rules[i] : NULL;
}

const sv_abr_rule *sv_abr_rule_find(const char *name)
{
    if (!name)
        return NULL;
    if (strcmp(name, "robustmpc") == 0)
        return &sv_abr_rule_mpc;
    for (size_t i = 0; i < NUM_RULES; i++)
        if (strcmp(rules[i]->name, name) == 0)
            return rules[i];
    return NULL;
}

const sv_abr_rule *sv_abr_rule_default(void)
{
    return &sv_abr_rule_hybrid;
}

const char *sv_abr_rule_name(const sv_abr_rule *rule)
{
    return rule ? rule->name : "";
}

const char *sv_abr_rule_description(const sv_abr_rule *rule)
{
    return rule ? rule->description : "";
}

size_t sv_abr_rule_param_count(const sv_abr_rule *rule)
{
    return rule ? rule->num_params : 0;
}

int sv_abr_rule_param_info(const sv_abr_rule *rule, size_t i, sv_abr_param_info *info)
{
    if (!rule || !info)
        return SV_ERR_INVALID;
    if (i >= rule->num_params)
        return SV_ERR_RANGE;
    *info = rule->params[i];
    return SV_OK;
}

static int param_index(const sv_abr_rule *rule, const char *name)
{
    for (size_t i = 0; i < rule->num_params; i++)
        if (strcmp(rule->params[i].name, name) == 0)
            return (int)i;
    return -1;
}

int sv_abr_create(const sv_abr_rule *rule, const sv_allocator *alloc, sv_abr **out)
{
    sv_abr *abr = NULL;

    if (!out)
        return SV_ERR_INVALID;
    *out = NULL;
    if (!rule || rule->num_params > SV__ABR_MAX_PARAMS)
        return SV_ERR_INVALID;
    if (!sv__allocator_valid(alloc))
        return SV_ERR_INVALID;
    abr = sv__abr_alloc(alloc, sizeof(*abr) + rule->state_size);
    if (!abr)
        return SV_ERR_NOMEM;
    memset(abr, 0, sizeof(*abr) + rule->state_size);
    abr->rule = rule;
    if (alloc) {
        sv__allocator_copy(&abr->alloc, alloc);
        abr->has_alloc = 1;
    }
    for (size_t i = 0; i < rule->num_params; i++)
        abr->params[i] = rule->params[i].default_value;
    rule->reset(abr->state, abr->params);
    *out = abr;
    return SV_OK;
}

void sv_abr_destroy(sv_abr *abr)
{
    if (!abr)
        return;
    sv_allocator a = abr->alloc;
    sv__abr_free(abr->has_alloc ? &a : NULL, abr);
}

const sv_abr_rule *sv_abr_get_rule(const sv_abr *abr)
{
    return abr ? abr->rule : NULL;
}

int sv_abr_set_params(sv_abr *abr, const sv_abr_param *params, size_t count)
{
    double values[SV__ABR_MAX_PARAMS];

    if (!abr || (!params && count > 0))
        return SV_ERR_INVALID;
    memcpy(values, abr->params, sizeof(values));
    for (size_t i = 0; i < count; i++) {
        if (!params[i].name)
            return SV_ERR_INVALID;
        int k = param_index(abr->rule, params[i].name);
        if (k < 0)
            return SV_ERR_NOT_FOUND;
        const sv_abr_param_info *pi = &abr->rule->params[k];
        double v = params[i].value;
        if (!isfinite(v) || v < pi->min_value || v > pi->max_value)
            return SV_ERR_RANGE;
        values[k] = v;
    }
    memcpy(abr->params, values, sizeof(values));
    abr->rule->reset(abr->state, abr->params);
    return SV_OK;
}

int sv_abr_get_param(const sv_abr *abr, const char *name, double *value)
{
    if (!abr || !name || !value)
        return SV_ERR_INVALID;
    int k = param_index(abr->rule, name);
    if (k < 0)
        return SV_ERR_NOT_FOUND;
    *value = abr->params[k];
    return SV_OK;
}

void sv_abr_reset(sv_abr *abr)
{
    if (abr)
        abr->rule->reset(abr->state, abr->params);
}

static int input_valid(const sv_abr_input *in)
{
    if (!in->bitrates_kbps || in->num_rungs == 0)
        return 0;
    for (size_t i = 1; i < in->num_rungs; i++)
        if (in->bitrates_kbps[i] <= in->bitrates_kbps[i - 1])
            return 0;
    if (in->bitrates_kbps[0] == 0)
        return 0;
    if (!(in->segment_duration_s > 0) || !isfinite(in->segment_duration_s))
        return 0;
    if (!(in->buffer_s >= 0) || !isfinite(in->buffer_s))
        return 0;
    if (!(in->buffer_max_s >= 0) || !isfinite(in->buffer_max_s))
        return 0;
    if (!(in->idle_s >= 0) || !isfinite(in->idle_s))
        return 0;
    if (isnan(in->throughput_kbps) || isinf(in->throughput_kbps))
        return 0;
    if (in->last_index < -1 || in->last_index >= (long long)in->num_rungs)
        return 0;
    if (in->num_next > 0 && !in->next_sizes)
        return 0;
    if (in->phase != SV_ABR_PHASE_STARTUP && in->phase != SV_ABR_PHASE_PLAYING &&
        in->phase != SV_ABR_PHASE_STALLED)
        return 0;
    return 1;
}

int sv_abr_choose(sv_abr *abr, const sv_abr_input *in, sv_abr_decision *out)
{
    sv_abr_decision d = { .index = 0, .delay_s = 0.0, .reason = "" };

    if (!abr || !in || !out || !input_valid(in))
        return SV_ERR_INVALID;
    abr->rule->choose(abr->state, abr->params, in, &d);
    /* A rule bug must not make the player index outside its ladder. */
    if (d.index < 0)
        d.index = 0;
    if ((size_t)d.index >= in->num_rungs)
        d.index = (int)in->num_rungs - 1;
    if (!(d.delay_s > 0) || !isfinite(d.delay_s))
        d.delay_s = 0;
    if (!d.reason)
        d.reason = "";
    *out = d;
    return SV_OK;
}

int sv_abr_on_download(sv_abr *abr, const sv_abr_sample *s)
{
    if (!abr || !s || !(s->duration_s > 0) || !isfinite(s->duration_s) ||
        !(s->latency_s >= 0) || !(s->latency_s <= s->duration_s) ||
        !(s->buffer_s >= 0) || !isfinite(s->buffer_s))
        return SV_ERR_INVALID;
    /* An empty download tells nothing about the link. */
    if (s->bytes == 0)
        return SV_OK;
    if (abr->rule->on_download)
        abr->rule->on_download(abr->state, abr->params, s);
    return SV_OK;
}

int sv__abr_rung_for_rate(const sv_abr_input *in, double kbps)
{
    for (size_t i = in->num_rungs; i-- > 0;)
        if ((double)in->bitrates_kbps[i] <= kbps)
            return (int)i;
    return 0;
}

double sv__abr_segment_bytes(const sv_abr_input *in, size_t k, int r)
{
    if (k < in->num_next)
        return (double)in->next_sizes[k * in->num_rungs + (size_t)r];
    return (double)in->bitrates_kbps[r] * 1000.0 / 8.0 * in->segment_duration_s;
}
