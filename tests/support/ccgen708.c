/*
 * ccgen708.c - sv-ccgen's CEA-708 writer: each caption as DTVCC caption
 * channel packets (cc_type 3, then 2) of services 1 and 2, pop-on style in
 * windows 0-3 taken in turn:
 *
 *   START - 0.5 s  DFn (hidden, relative anchor @P,V,H, rows by '|',
 *                  columns as the longest row, at most 32), CLW, SPA (italics, underline), SPC (the text
 *                  colour on black), SPL, the text with CR between rows;
 *   START          DSW;
 *   END            HDW, CLW or DLW in turn (all three end a cue).
 *
 * A packet goes into the first frames with free triplets from its time
 * on; show and hide go before loads in a frame, so they land on their
 * frame. The bytes are test data written here; the player's decoder
 * (player/output/cea708.c) and Shaka Player read them back.
 */
#include <stdlib.h>
#include <string.h>

#include "ccgen.h"

#define MAX_EVENTS 4096

typedef struct event {
    int frame, prio, order;
    int broken;       /* the broken pieces: several packets, one sequence gap */
    uint8_t t[64][3]; /* the packet's triplets (sequence numbers set when placed) */
    int n;
} event;

typedef struct gen {
    event *ev;
    int nb_ev;
} gen;

/* One packet of service blocks: `blocks` holds (service, size, data...) runs. */
static int packet(gen *g, int frame, int prio, const uint8_t *payload, int len)
{
    if (g->nb_ev == MAX_EVENTS || len > 127)
        return -1;
    event *e = &g->ev[g->nb_ev];
    int size = len + 1 + ((len + 1) & 1); /* header + payload, even */
    uint8_t bytes[128] = { 0 };
    bytes[0] = (uint8_t)(size == 128 ? 0 : size / 2);
    memcpy(bytes + 1, payload, (size_t)len);
    e->frame = frame;
    e->prio = prio;
    e->order = g->nb_ev;
    e->n = 0;
    for (int i = 0; i < size; i += 2) {
        e->t[e->n][0] = i == 0 ? 0xff : 0xfe; /* cc_valid, cc_type 3 (start) or 2 */
        e->t[e->n][1] = bytes[i];
        e->t[e->n][2] = bytes[i + 1];
        e->n++;
    }
    g->nb_ev++;
    return 0;
}

/* The commands of one service as blocks of at most 31 bytes (cut between
 * commands: `ends` lists where each command ends), packets of at most 127. */
static int service_data(gen *g, int frame, int prio, int service, const uint8_t *cmd,
                        const int *ends, int nb_cmds)
{
    uint8_t pay[127];
    int len = 0, from = 0;

    for (int i = 0; i < nb_cmds;) {
        int j = i, to = from;
        while (j < nb_cmds && ends[j] - from <= 31)
            to = ends[j++];
        if (j == i)
            return -1;
        if (len + 1 + (to - from) > 127) {
            if (packet(g, frame, prio, pay, len) < 0)
                return -1;
            len = 0;
        }
        pay[len++] = (uint8_t)(service << 5 | (to - from));
        memcpy(pay + len, cmd + from, (size_t)(to - from));
        len += to - from;
        from = to;
        i = j;
    }
    return len ? packet(g, frame, prio, pay, len) : 0;
}

typedef struct cmds {
    uint8_t b[512];
    int ends[256];
    int n, len;
} cmds;

static void add(cmds *c, const uint8_t *b, int n)
{
    if (c->len + n > (int)sizeof(c->b) || c->n == 256)
        return;
    memcpy(c->b + c->len, b, (size_t)n);
    c->len += n;
    c->ends[c->n++] = c->len;
}

static void load(cmds *c, const ccgen_cap *cap, int win, const char *prefix)
{
    int rows = 1, cols = 0, n = (int)strlen(prefix);
    for (const char *s = cap->text;; s++) {
        if (*s && *s != '|') {
            n++;
            continue;
        }
        cols = n > cols ? n : cols;
        if (!*s)
            break;
        rows++;
        n = 0;
    }
    if (cols > 32)
        cols = 32;
    const uint8_t df[] = { (uint8_t)(0x98 + win), 0x18, (uint8_t)(0x80 | cap->v), (uint8_t)cap->h,
                           (uint8_t)(cap->anchor << 4 | (rows - 1)), (uint8_t)(cols - 1), 0x09 };
    add(c, df, sizeof(df));
    add(c, (const uint8_t[]){ 0x88, (uint8_t)(1 << win) }, 2); /* CLW */
    add(c, (const uint8_t[]){ 0x90, 0x05, (uint8_t)(cap->italic << 7 | cap->underline << 6) }, 3);
    add(c, (const uint8_t[]){ 0x91, (uint8_t)cap->color, 0x00, 0x00 }, 4); /* SPC: on black */
    add(c, (const uint8_t[]){ 0x92, 0x00, 0x00 }, 3); /* SPL: row 0, column 0 */
    for (const char *s = prefix; *s; s++)
        add(c, (const uint8_t *)s, 1);
    for (const char *s = cap->text; *s; s++)
        add(c, *s == '|' ? (const uint8_t[]){ 0x0d } : (const uint8_t *)s, 1);
}

/* Six pieces the decoder must skip, each once: a packet cut short, a block
 * longer than its packet, CW7 (never defined), a DF missing its parameters,
 * a sequence gap, data outside a packet. */
static int broken(gen *g, int frame)
{
    if (g->nb_ev + 6 > MAX_EVENTS)
        return -1;
    event *e = &g->ev[g->nb_ev++];
    static const uint8_t t[][3] = {
        { 0xff, 0x04, 0x21 }, { 0xfe, 0x03, 0x00 },       /* 8 bytes announced, 4 sent */
        { 0xff, 0x42, 0x2a }, { 0xfe, 0x41, 0x42 },       /* block of 10 in a 4-byte packet */
        { 0xff, 0x82, 0x21 }, { 0xfe, 0x87, 0x00 },       /* CW7 */
        { 0xff, 0xc2, 0x22 }, { 0xfe, 0x98, 0x01 },       /* DF0 with 1 of its 6 bytes */
        { 0xff, 0x42, 0x21 }, { 0xfe, 0x03, 0x00 },       /* sequence 1 after 3 */
        { 0xfe, 0x41, 0x42 },                             /* after a complete packet */
    };
    e->frame = frame;
    e->prio = 0;
    e->order = g->nb_ev;
    e->broken = 1;
    e->n = (int)(sizeof(t) / sizeof(t[0]));
    memcpy(e->t, t, sizeof(t));
    return 0;
}

static int by_time(const void *a, const void *b)
{
    const event *x = a, *y = b;
    if (x->frame != y->frame)
        return x->frame - y->frame;
    if (x->prio != y->prio)
        return x->prio - y->prio;
    return x->order - y->order;
}

static int place(ccgen_frame *frames, int nb_frames, gen *g)
{
    int cursor = 0, seq = 0;

    qsort(g->ev, (size_t)g->nb_ev, sizeof(*g->ev), by_time);
    for (int i = 0; i < g->nb_ev; i++) {
        int f = g->ev[i].frame > cursor ? g->ev[i].frame : cursor;
        for (int k = 0, starts = 0; k < g->ev[i].n; k++) {
            if (g->ev[i].t[k][0] == 0xff) { /* a packet starts: its sequence number */
                if (g->ev[i].broken && starts++ == 4)
                    seq = (seq + 1) & 3; /* the gap */
                g->ev[i].t[k][1] = (uint8_t)((g->ev[i].t[k][1] & 0x3f) | seq << 6);
                seq = (seq + 1) & 3;
            }
            while (f < nb_frames && frames[f].n == CCGEN_MAX_TRIPLETS)
                f++;
            if (f == nb_frames)
                return -1;
            memcpy(frames[f].t[frames[f].n++], g->ev[i].t[k], 3);
        }
        cursor = f;
    }
    return 0;
}

static int frame_of(double t)
{
    return (int)(t * CCGEN_FPS + 0.5);
}

int ccgen_708(ccgen_frame *frames, int nb_frames, const ccgen_cap *caps, int nb_caps, int bad)
{
    gen g = { .ev = calloc(MAX_EVENTS, sizeof(event)) };
    int ret = -1;

    if (!g.ev)
        return -1;
    for (int i = 0; i < nb_caps; i++) {
        const ccgen_cap *c = &caps[i];
        int win = i % 4, fe = frame_of(c->end);
        if (fe >= nb_frames)
            continue;
        for (int service = 1; service <= 2; service++) {
            cmds load_cmds = { .n = 0 };
            load(&load_cmds, c, win, service == 2 ? "S2 " : "");
            static const uint8_t ends[] = { 0x8a, 0x88, 0x8c }; /* HDW, CLW, DLW */
            const uint8_t show[] = { 0x89, (uint8_t)(1 << win) };
            const uint8_t hide[] = { ends[i % 3], (uint8_t)(1 << win) };
            const int one[] = { 2 };
            if (service_data(&g, frame_of(c->start - 0.5), 1, service, load_cmds.b,
                             load_cmds.ends, load_cmds.n) < 0 ||
                service_data(&g, frame_of(c->start), 0, service, show, one, 1) < 0 ||
                service_data(&g, fe, 0, service, hide, one, 1) < 0)
                goto done;
        }
    }
    if (bad && broken(&g, frame_of(2.7)) < 0)
        goto done;
    ret = place(frames, nb_frames, &g);
done:
    free(g.ev);
    return ret;
}
