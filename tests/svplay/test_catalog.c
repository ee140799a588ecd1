/*
 * svplay's catalog model, navigation and drawing (apps/svplay/catalog.c,
 * catalog_draw.c) on canned backend answers: the rows built, focus moves
 * that stop at the edges and come back to the same card, Enter's title and
 * resume position, the search mode with its debounce on an injected clock
 * and stale answers, a refresh that keeps the focus, and the focus frame
 * on the painted canvas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apps/svplay/catalog.h"

#define MS 1000000LL

/* Newest first, as GET /api/v1/titles answers; genres spelled unevenly. */
static const char titles_json[] =
    "[{\"id\":3,\"title\":\"Gamma Ray\",\"genres\":[\"drama\"],\"duration\":8.0},"
    " {\"id\":2,\"title\":\"Beta Blast\",\"genres\":[\"Action\"],\"duration\":8.0},"
    " {\"id\":1,\"title\":\"Alpha Run\",\"genres\":[\"action\",\"Drama\"],\"duration\":8.0},"
    " {\"title\":\"no id: skipped\"}]";
static const char continuing_json[] =
    "[{\"title_id\":1,\"title\":\"Alpha Run\",\"position_s\":4.5,\"duration\":8.0,"
    "\"updated\":\"2026-01-01T00:00:00Z\"}]";

typedef struct fixture {
    svp_catalog *c;
    json_t *titles, *continuing;
} fixture;

static json_t *load(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fail_msg("bad canned JSON: %s", e.text);
    return j;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(svp_catalog_create(&f->c), 0);
    f->titles = load(titles_json);
    f->continuing = load(continuing_json);
    assert_int_equal(svp_catalog_set_browse(f->c, f->titles, f->continuing), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    svp_catalog_destroy(f->c);
    json_decref(f->titles);
    json_decref(f->continuing);
    free(f);
    return 0;
}

/* Row i's name and its cards' title ids, "name:1,2". */
static void row_text(const svp_catalog *c, size_t i, char *buf, size_t size)
{
    const svp_row *r = svp_catalog_row(c, i);
    size_t n;

    assert_non_null(r);
    n = (size_t)snprintf(buf, size, "%s:", r->name);
    for (size_t k = 0; k < r->nb_cards && n < size; k++)
        n += (size_t)snprintf(buf + n, size - n, "%s%lld", k ? "," : "",
                              (long long)r->cards[k].title_id);
}

static void expect_row(const svp_catalog *c, size_t i, const char *want)
{
    char got[256];
    row_text(c, i, got, sizeof(got));
    assert_string_equal(got, want);
}

static svp_nav_result key(fixture *f, svp_nav_key k, svp_choice *choice)
{
    svp_choice unused;
    return svp_catalog_key(f->c, k, 0, 0, choice ? choice : &unused);
}

static void test_rows(void **state)
{
    fixture *f = *state;

    assert_int_equal(svp_catalog_row_count(f->c), 4);
    expect_row(f->c, 0, "Continue watching:1");
    /* Genres merged without regard to case, first spelling kept, sorted. */
    expect_row(f->c, 1, "Action:2,1");
    expect_row(f->c, 2, "drama:3,1");
    expect_row(f->c, 3, "All titles:3,2,1");
    /* Every card of title 1 knows its resume position and duration. */
    const svp_row *action = svp_catalog_row(f->c, 1);
    assert_true(action->cards[1].resume_s == 4.5);
    assert_true(action->cards[1].duration_s == 8.0);
    assert_true(action->cards[0].resume_s == 0);
    assert_string_equal(action->cards[0].title, "Beta Blast");
    assert_int_equal(svp_catalog_focus_row(f->c), 0);
    assert_int_equal(svp_catalog_focused(f->c)->title_id, 1);
}

static void test_no_continue_row(void **state)
{
    fixture *f = *state;
    json_t *empty = json_array();

    assert_int_equal(svp_catalog_set_browse(f->c, f->titles, empty), 0);
    assert_int_equal(svp_catalog_row_count(f->c), 3);
    expect_row(f->c, 0, "Action:2,1");
    assert_int_equal(svp_catalog_set_browse(f->c, f->titles, NULL), 0);
    assert_int_equal(svp_catalog_row_count(f->c), 3);
    /* Not arrays: refused, the rows stay. */
    assert_int_equal(svp_catalog_set_browse(f->c, empty, f->titles), 0);
    expect_row(f->c, 0, "Continue watching:3,2,1");
    assert_int_equal(svp_catalog_set_browse(f->c, json_object_get(f->titles, "x"), NULL),
                     SV_ERR_INVALID);
    assert_int_equal(svp_catalog_row_count(f->c), 2);
    json_decref(empty);
}

static void test_navigation(void **state)
{
    fixture *f = *state;
    svp_choice ch;

    /* Edges do nothing. */
    assert_int_equal(key(f, SVP_KEY_UP, NULL), SVP_NAV_NONE);
    assert_int_equal(key(f, SVP_KEY_LEFT, NULL), SVP_NAV_NONE);
    assert_int_equal(key(f, SVP_KEY_RIGHT, NULL), SVP_NAV_NONE);
    assert_int_equal(key(f, SVP_KEY_BACK, NULL), SVP_NAV_NONE);
    /* Enter on the continue-watching card: title 1 from 4.5 s. */
    assert_int_equal(key(f, SVP_KEY_ENTER, &ch), SVP_NAV_PLAY);
    assert_int_equal(ch.title_id, 1);
    assert_true(ch.resume_s == 4.5);
    assert_string_equal(ch.title, "Alpha Run");
    /* Down, Right: the second Action card, the same title. */
    assert_int_equal(key(f, SVP_KEY_DOWN, NULL), SVP_NAV_REDRAW);
    assert_int_equal(svp_catalog_focused(f->c)->title_id, 2);
    assert_int_equal(key(f, SVP_KEY_RIGHT, NULL), SVP_NAV_REDRAW);
    assert_int_equal(key(f, SVP_KEY_RIGHT, NULL), SVP_NAV_NONE);
    memset(&ch, 0, sizeof(ch));
    assert_int_equal(key(f, SVP_KEY_ENTER, &ch), SVP_NAV_PLAY);
    assert_int_equal(ch.title_id, 1);
    assert_true(ch.resume_s == 4.5);
    /* Down to drama (column 0 there), back up: Action keeps column 1. */
    assert_int_equal(key(f, SVP_KEY_DOWN, NULL), SVP_NAV_REDRAW);
    assert_int_equal(svp_catalog_focused(f->c)->title_id, 3);
    assert_int_equal(key(f, SVP_KEY_ENTER, &ch), SVP_NAV_PLAY);
    assert_int_equal(ch.title_id, 3);
    assert_true(ch.resume_s == 0);
    assert_int_equal(key(f, SVP_KEY_UP, NULL), SVP_NAV_REDRAW);
    assert_int_equal(svp_catalog_focused(f->c)->title_id, 1);
    assert_int_equal(key(f, SVP_KEY_LEFT, NULL), SVP_NAV_REDRAW);
    assert_int_equal(svp_catalog_focused(f->c)->title_id, 2);
    /* To the last row and no further. */
    assert_int_equal(key(f, SVP_KEY_DOWN, NULL), SVP_NAV_REDRAW);
    assert_int_equal(key(f, SVP_KEY_DOWN, NULL), SVP_NAV_REDRAW);
    assert_int_equal(key(f, SVP_KEY_DOWN, NULL), SVP_NAV_NONE);
    assert_int_equal(svp_catalog_focus_row(f->c), 3);
    /* Esc on the browse rows quits. */
    assert_int_equal(key(f, SVP_KEY_ESCAPE, NULL), SVP_NAV_QUIT);
}

static svp_nav_result type(fixture *f, int c, int64_t now)
{
    svp_choice unused;
    return svp_catalog_key(f->c, SVP_KEY_CHAR, c, now, &unused);
}

static void test_search(void **state)
{
    fixture *f = *state;
    svp_choice ch;
    json_t *ga = load("[{\"id\":3,\"title\":\"Gamma Ray\",\"genres\":[]},"
                      " {\"id\":1,\"title\":\"Alpha Run\",\"genres\":[]}]");
    json_t *none = json_array();

    key(f, SVP_KEY_DOWN, NULL);
    /* A letter opens the search with that letter. */
    assert_int_equal(type(f, 'g', 0), SVP_NAV_REDRAW);
    assert_true(svp_catalog_searching(f->c));
    assert_string_equal(svp_catalog_query(f->c), "g");
    assert_int_equal(svp_catalog_row_count(f->c), 1);
    assert_int_equal(svp_catalog_row(f->c, 0)->nb_cards, 0);
    assert_true(svp_catalog_search_pending(f->c));
    /* Debounced: nothing is sent while typing goes on. */
    assert_null(svp_catalog_search_due(f->c, 100 * MS));
    assert_int_equal(svp_catalog_search_wait_ns(f->c, 100 * MS), 200 * MS);
    assert_int_equal(type(f, 'a', 200 * MS), SVP_NAV_REDRAW);
    assert_null(svp_catalog_search_due(f->c, 400 * MS));
    assert_string_equal(svp_catalog_search_due(f->c, 500 * MS), "ga");
    assert_null(svp_catalog_search_due(f->c, 600 * MS)); /* sent once */
    assert_int_equal(svp_catalog_search_wait_ns(f->c, 600 * MS), -1);
    /* An answer to an older query is dropped. */
    assert_int_equal(svp_catalog_set_results(f->c, "g", none), 1);
    assert_true(svp_catalog_search_pending(f->c));
    assert_int_equal(svp_catalog_set_results(f->c, "ga", ga), 0);
    assert_false(svp_catalog_search_pending(f->c));
    expect_row(f->c, 0, "Results for \"ga\":3,1");
    /* Up/Down stay in the one row; Right, Enter: title 1 with its resume
     * position, known from the browse rows. */
    assert_int_equal(key(f, SVP_KEY_DOWN, NULL), SVP_NAV_NONE);
    assert_int_equal(key(f, SVP_KEY_UP, NULL), SVP_NAV_NONE);
    assert_int_equal(key(f, SVP_KEY_RIGHT, NULL), SVP_NAV_REDRAW);
    assert_int_equal(key(f, SVP_KEY_ENTER, &ch), SVP_NAV_PLAY);
    assert_int_equal(ch.title_id, 1);
    assert_true(ch.resume_s == 4.5);
    /* Backspace edits and queries again after the debounce. */
    assert_int_equal(key(f, SVP_KEY_BACK, NULL), SVP_NAV_REDRAW);
    assert_string_equal(svp_catalog_query(f->c), "g");
    assert_null(svp_catalog_search_due(f->c, 0));
    assert_string_equal(svp_catalog_search_due(f->c, 300 * MS), "g");
    assert_int_equal(svp_catalog_set_results(f->c, "g", none), 0);
    assert_int_equal(key(f, SVP_KEY_ENTER, &ch), SVP_NAV_NONE);
    /* Backspace on the empty query leaves; the browse focus is intact. */
    assert_int_equal(key(f, SVP_KEY_BACK, NULL), SVP_NAV_REDRAW);
    assert_string_equal(svp_catalog_query(f->c), "");
    assert_true(svp_catalog_searching(f->c));
    assert_null(svp_catalog_search_due(f->c, 10000 * MS)); /* empty: never sent */
    assert_int_equal(key(f, SVP_KEY_BACK, NULL), SVP_NAV_REDRAW);
    assert_false(svp_catalog_searching(f->c));
    assert_int_equal(svp_catalog_row_count(f->c), 4);
    assert_int_equal(svp_catalog_focus_row(f->c), 1);
    /* '/' opens an empty search; a leading space is not typed; Esc leaves
     * the search, not the app. */
    assert_int_equal(type(f, '/', 0), SVP_NAV_REDRAW);
    assert_string_equal(svp_catalog_query(f->c), "");
    assert_int_equal(type(f, ' ', 0), SVP_NAV_NONE);
    assert_int_equal(type(f, '\n', 0), SVP_NAV_NONE);
    assert_int_equal(type(f, 'b', 0), SVP_NAV_REDRAW);
    assert_int_equal(svp_catalog_set_results(f->c, "zz", none), 1);
    assert_int_equal(key(f, SVP_KEY_ESCAPE, NULL), SVP_NAV_REDRAW);
    assert_false(svp_catalog_searching(f->c));
    /* Answers arriving after the search closed are dropped. */
    assert_int_equal(svp_catalog_set_results(f->c, "b", ga), 1);
    json_decref(ga);
    json_decref(none);
}

static void test_query_limit(void **state)
{
    fixture *f = *state;
    int typed = 0;

    for (int i = 0; i < 100; i++)
        typed += type(f, 'x', 0) == SVP_NAV_REDRAW;
    assert_int_equal(typed, SVP_QUERY_MAX - 1);
    assert_int_equal(strlen(svp_catalog_query(f->c)), SVP_QUERY_MAX - 1);
}

static void test_refresh_keeps_focus(void **state)
{
    fixture *f = *state;
    json_t *titles = load(
        "[{\"id\":4,\"title\":\"Delta\",\"genres\":[\"Action\"]},"
        " {\"id\":2,\"title\":\"Beta Blast\",\"genres\":[\"Action\"]},"
        " {\"id\":1,\"title\":\"Alpha Run\",\"genres\":[\"Action\"]}]");
    json_t *empty = json_array();

    key(f, SVP_KEY_DOWN, NULL);
    key(f, SVP_KEY_RIGHT, NULL);
    assert_int_equal(svp_catalog_focused(f->c)->title_id, 1);
    /* Title 1 was watched to the end (no continue row any more) and a new
     * title arrived first: the focus stays on "Action", title 1. */
    assert_int_equal(svp_catalog_set_browse(f->c, titles, empty), 0);
    expect_row(f->c, 0, "Action:4,2,1");
    assert_int_equal(svp_catalog_focus_row(f->c), 0);
    assert_int_equal(svp_catalog_focused(f->c)->title_id, 1);
    json_decref(titles);
    json_decref(empty);
}

static uint32_t at(const uint32_t *px, int x, int y)
{
    return px[y * SVP_CANVAS_W + x] & 0xffffffu;
}

static void test_draw(void **state)
{
    fixture *f = *state;
    uint32_t *px = calloc(SVP_CANVAS_W * SVP_CANVAS_H, sizeof(*px));
    int r0[4], r1[4], lit = 0;

    assert_non_null(px);
    key(f, SVP_KEY_DOWN, NULL);
    key(f, SVP_KEY_RIGHT, NULL);
    svp_catalog_draw(f->c, px, SVP_CANVAS_W, "status line");
    /* The focused card (Action, column 1) is framed in the focus colour,
     * its neighbour is not. */
    assert_int_equal(svp_catalog_card_rect(f->c, 1, 1, r1), 0);
    assert_int_equal(svp_catalog_card_rect(f->c, 1, 0, r0), 0);
    assert_true(r1[0] > r0[0] + r0[2]);
    assert_int_equal(r1[1], r0[1]);
    assert_int_equal(at(px, r1[0] - 2, r1[1] + r1[3] / 2), SVP_FOCUS_RGB);
    assert_int_equal(at(px, r1[0] + r1[2] + 1, r1[1] + 5), SVP_FOCUS_RGB);
    assert_int_not_equal(at(px, r0[0] - 2, r0[1] + r0[3] / 2), SVP_FOCUS_RGB);
    int focus_px = 0;
    for (int i = 0; i < SVP_CANVAS_W * SVP_CANVAS_H; i++)
        focus_px += (px[i] & 0xffffffu) == SVP_FOCUS_RGB;
    /* Exactly one frame: (w+6)*(h+6) - w*h pixels. */
    assert_int_equal(focus_px, (r1[2] + 6) * (r1[3] + 6) - r1[2] * r1[3]);
    /* Its title is written in white inside the card. */
    for (int y = r1[1]; y < r1[1] + r1[3]; y++)
        for (int x = r1[0]; x < r1[0] + r1[2]; x++)
            lit += at(px, x, y) == 0xffffff;
    assert_true(lit > 40);
    /* Title 1 is half watched: a progress bar, red for about half its width. */
    int red = 0;
    for (int x = r1[0]; x < r1[0] + r1[2]; x++)
        red += at(px, x, r1[1] + r1[3] - 5) == 0xe50914;
    assert_in_range(red, 45 * 92 / 100 - 2, 56 * 92 / 100 + 2);
    /* A row below the visible three is scrolled off; scrolling to it
     * brings it in and the first row out. */
    assert_int_equal(svp_catalog_card_rect(f->c, 3, 0, r0), -1);
    key(f, SVP_KEY_DOWN, NULL);
    key(f, SVP_KEY_DOWN, NULL);
    assert_int_equal(svp_catalog_card_rect(f->c, 3, 0, r0), 0);
    assert_int_equal(svp_catalog_card_rect(f->c, 0, 0, r0), -1);
    free(px);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_continue_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_navigation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refresh_keeps_focus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_draw, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
