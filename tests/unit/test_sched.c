/*
 * Host tests for vmm/sched/policy.c: the scheduler's policy (primary scheduler by execution
 * priority, time-slicer by time-slice priority).
 *
 * The run queue and the threads are exact-size heap blocks, so AddressSanitizer reports any
 * stray access.  A "CPU" is simulated by picking and charging the picked thread, and shares are
 * compared with the weights.  Turn order is observed through sched_pick; the white-box parts
 * read the fields that sched.h documents (credit in hundredths of a unit, level links) and
 * corrupt them on purpose to show that sched_check fails.  The randomized test keeps an
 * independent model -- per thread: ready, priority, weight, credit, and the time it last joined
 * the tail of its queue -- and checks after every step that sched_pick is the ready thread of
 * the highest priority that joined its queue first, and that every field agrees.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sched/policy.h"
#include "testlib.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixture and helpers --------------------------------------------------------------------- */

static struct sched *new_sched(uint32_t granularity)
{
    struct sched *s = malloc(sizeof *s);
    cr_assert_not_null(s);
    memset(s, 0xA5, sizeof *s);                 /* init must not rely on zeroed memory */
    struct kerr e;
    strcpy(e.msg, "(none)");
    cr_assert_eq(sched_init(s, granularity, &e), 0, "sched_init(%u): %s", granularity, e.msg);
    return s;
}

/* n threads of s, all with exec priority pri and weight w. */
static struct sched_thread *new_threads(const struct sched *s, unsigned n, uint32_t pri,
                                        uint32_t w)
{
    struct sched_thread *t = malloc(n * sizeof *t);
    cr_assert_not_null(t);
    memset(t, 0x5A, n * sizeof *t);
    struct kerr e;
    for (unsigned i = 0; i < n; i++)
        cr_assert_eq(sched_thread_init(s, &t[i], pri, w, &e), 0, "%s", e.msg);
    return t;
}

static void check_ok(const struct sched *s)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    int r = sched_check(s, &e);
    if (r != 0)
        cr_assert_fail("sched_check: %s", e.msg);
}

static void expect_err(int rc, const struct kerr *e, const char *what)
{
    cr_assert_lt(rc, 0, "expected a refusal containing \"%s\", got %d", what, rc);
    cr_assert_gt(strlen(e->msg), 0, "refusal without a message");
    cr_assert(strstr(e->msg, what), "message \"%s\" lacks \"%s\"", e->msg, what);
}

static void ready_ok(struct sched *s, struct sched_thread *t)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    cr_assert_eq(sched_ready(s, t, &e), 0, "ready %p: %s", (void *)t, e.msg);
}

static void block_ok(struct sched *s, struct sched_thread *t)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    cr_assert_eq(sched_block(s, t, &e), 0, "block %p: %s", (void *)t, e.msg);
}

static void adjust_ok(struct sched *s, struct sched_thread *t, int32_t d)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    cr_assert_eq(sched_adjust(s, t, d, &e), 0, "adjust %p by %d: %s", (void *)t, d, e.msg);
}

static void weight_ok(struct sched *s, struct sched_thread *t, uint32_t w)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    cr_assert_eq(sched_set_weight(s, t, w, &e), 0, "set_weight %p %u: %s", (void *)t, w, e.msg);
}

/* The index of the picked thread in t[0..n), or -1 if none is ready. */
static int picked(const struct sched *s, const struct sched_thread *t, unsigned n)
{
    const struct sched_thread *p = sched_pick(s);
    if (!p)
        return -1;
    cr_assert(p >= t && p < t + n, "pick %p is none of the threads", (const void *)p);
    return (int)(p - t);
}

/* A CPU for `units` timer ticks: pick, charge the picked thread 1.  got[i] += ticks of t[i]. */
static void run(struct sched *s, struct sched_thread *t, unsigned n, uint64_t units,
                uint64_t *got)
{
    for (uint64_t u = 0; u < units; u++) {
        int i = picked(s, t, n);
        cr_assert_geq(i, 0, "nothing ready at tick %llu", (unsigned long long)u);
        got[i]++;
        sched_charge(s, &t[i], 1);
    }
}

/* Runs `units` ticks and expects the picks in order: want[k] ticks of thread id[k], repeated. */
static void expect_turns(struct sched *s, struct sched_thread *t, unsigned n, const int *id,
                         const unsigned *len, unsigned k)
{
    for (unsigned j = 0; j < k; j++)
        for (unsigned u = 0; u < len[j]; u++) {
            int i = picked(s, t, n);
            cr_assert_eq(i, id[j], "turn %u tick %u: picked %d, want %d", j, u, i, id[j]);
            sched_charge(s, &t[i], 1);
        }
}

#define TURNS(s, t, n, ...) do {                                                             \
        const unsigned spec_[] = { __VA_ARGS__ };                                            \
        int id_[NELEM(spec_) / 2];                                                           \
        unsigned len_[NELEM(spec_) / 2];                                                     \
        for (unsigned q_ = 0; q_ < NELEM(spec_) / 2; q_++) {                                 \
            id_[q_] = (int)spec_[2 * q_];                                                    \
            len_[q_] = spec_[2 * q_ + 1];                                                    \
        }                                                                                    \
        expect_turns(s, t, n, id_, len_, NELEM(spec_) / 2);                                  \
    } while (0)

/* Shares of got[0..n) against the weights w[0..n): each within tol (absolute fraction). */
static void expect_shares(const uint64_t *got, const uint32_t *w, unsigned n, double tol)
{
    uint64_t total = 0, wsum = 0;
    for (unsigned i = 0; i < n; i++) {
        total += got[i];
        wsum += w[i];
    }
    cr_assert_gt(total, 0);
    for (unsigned i = 0; i < n; i++) {
        double share = (double)got[i] / (double)total, want = (double)w[i] / (double)wsum;
        cr_assert(share > want - tol && share < want + tol,
                  "thread %u (weight %u): share %.4f, want %.4f +- %.3f (%llu of %llu)", i, w[i],
                  share, want, tol, (unsigned long long)got[i], (unsigned long long)total);
    }
}

/* ---- init and the constants ------------------------------------------------------------------ */

Test(sched, init_is_empty)
{
    struct sched *s = new_sched(20);
    cr_assert_null(sched_pick(s));
    cr_assert_eq(sched_count(s), 0);
    check_ok(s);
    struct sched_thread *t = new_threads(s, 1, 7, 100);
    cr_assert_eq(sched_charge(s, t, 1), 1, "a thread that is not ready should be switched away");
    cr_assert_null(sched_pick(s));
    sched_yield(s, t);                          /* nothing ready: nothing happens */
    check_ok(s);
    free(t);
    free(s);
}

Test(sched, init_refusals)
{
    struct sched *s = malloc(sizeof *s);
    struct kerr e;
    strcpy(e.msg, "");
    expect_err(sched_init(s, 0, &e), &e, "granularity 0");
    cr_assert_eq(sched_init(s, 0, NULL), -1, "refusal with e == NULL");
    cr_assert_eq(sched_init(s, 1, &e), 0);
    cr_assert_eq(sched_init(s, UINT32_MAX, &e), 0);
    check_ok(s);

    struct sched_thread t;
    char want[96];
    strcpy(e.msg, "");
    ksnprintf(want, sizeof want, "thread %p: time-slice priority 0 out of range 1..10000",
              (void *)&t);
    expect_err(sched_thread_init(s, &t, 0, 0, &e), &e, want);
    strcpy(e.msg, "");
    expect_err(sched_thread_init(s, &t, 0, 10001, &e), &e, "time-slice priority 10001");
    cr_assert_eq(sched_thread_init(s, &t, 0, UINT32_MAX, NULL), -1);
    cr_assert_eq(sched_thread_init(s, &t, 0, SCHED_WEIGHT_MIN, &e), 0);
    cr_assert_eq(sched_thread_init(s, &t, UINT32_MAX, SCHED_WEIGHT_MAX, &e), 0);
    cr_assert_eq(t.exec_pri, UINT32_MAX);
    cr_assert_eq(t.weight, 10000);
    cr_assert_eq(t.state, SCHED_T_BLOCKED);
    cr_assert_eq(t.credit, (int64_t)UINT32_MAX * 10000, "a full slice of the largest size");
    cr_assert_eq(sched_ready(s, &t, &e), 0);
    cr_assert_eq(sched_charge(s, &t, UINT32_MAX), 0);
    check_ok(s);
    free(s);
}

Test(sched, ddk_constants)
{
    cr_assert_eq(RESERVED_LOW_BOOST, 0x1);
    cr_assert_eq(CUR_RUN_VM_BOOST, 0x4);
    cr_assert_eq(LOW_PRI_DEVICE_BOOST, 0x10);
    cr_assert_eq(HIGH_PRI_DEVICE_BOOST, 0x1000);
    cr_assert_eq(CRITICAL_SECTION_BOOST, 0x100000);
    cr_assert_eq(TIME_CRITICAL_BOOST, 0x400000);
    cr_assert_eq(RESERVED_HIGH_BOOST, 0x40000000);
    cr_assert_eq(SCHED_WEIGHT_FOREGROUND, 100);
    cr_assert_eq(SCHED_WEIGHT_BACKGROUND, 50);
}

/* ---- the primary scheduler ------------------------------------------------------------------- */

/* The highest execution priority is picked whatever the order of readying; blocking it gives
 * the next; a newly ready higher one takes over at once. */
Test(sched, strict_priority)
{
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, 5, 0, 100);
    const uint32_t pri[5] = { 1, 5, 3, 0x80000000u, UINT32_MAX };
    for (unsigned i = 0; i < 5; i++)
        t[i].exec_pri = pri[i];                 /* before ready, as thread_init would set it */
    ready_ok(s, &t[0]);
    cr_assert_eq(picked(s, t, 5), 0);
    ready_ok(s, &t[2]);
    cr_assert_eq(picked(s, t, 5), 2);
    ready_ok(s, &t[1]);
    cr_assert_eq(picked(s, t, 5), 1);
    ready_ok(s, &t[4]);
    cr_assert_eq(picked(s, t, 5), 4);
    ready_ok(s, &t[3]);
    cr_assert_eq(picked(s, t, 5), 4);
    cr_assert_eq(sched_count(s), 5);
    check_ok(s);
    const int order[5] = { 4, 3, 1, 2, 0 };
    for (unsigned k = 0; k < 5; k++) {
        cr_assert_eq(picked(s, t, 5), order[k]);
        block_ok(s, &t[order[k]]);
        check_ok(s);
    }
    cr_assert_null(sched_pick(s));
    cr_assert_eq(sched_count(s), 0);
    free(t);
    free(s);
}

/* All or nothing: over 10,000 ticks only the top priority's threads run, whatever the weights;
 * the lower ones get nothing, then run once the top ones block. */
Test(sched, all_or_nothing)
{
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, 4, 10, 10000);
    t[2].exec_pri = t[3].exec_pri = 11;
    weight_ok(s, &t[2], 1);
    weight_ok(s, &t[3], 1);
    for (unsigned i = 0; i < 4; i++)
        ready_ok(s, &t[i]);
    uint64_t got[4] = { 0 };
    run(s, t, 4, 10000, got);
    cr_assert_eq(got[0] + got[1], 0, "lower priority ran %llu ticks",
                 (unsigned long long)(got[0] + got[1]));
    cr_assert_eq(got[2], 5000);
    cr_assert_eq(got[3], 5000);
    block_ok(s, &t[2]);
    block_ok(s, &t[3]);
    memset(got, 0, sizeof got);
    run(s, t, 4, 8000, got);                    /* two rounds of 2,000-tick slices */
    cr_assert_eq(got[0], 4000);
    cr_assert_eq(got[1], 4000);
    check_ok(s);
    free(t);
    free(s);
}

/* Boosts and unboosts move a thread between levels: boosted it preempts, unboosted it goes back
 * and the others run.  A thread adjusted while blocked readies at its new priority.  The
 * priority is exactly the sum of the deltas. */
Test(sched, boost_and_unboost)
{
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, 3, 0, 100);
    for (unsigned i = 0; i < 3; i++)
        ready_ok(s, &t[i]);
    cr_assert_eq(picked(s, t, 3), 0);
    adjust_ok(s, &t[2], CRITICAL_SECTION_BOOST);
    cr_assert_eq(picked(s, t, 3), 2);
    adjust_ok(s, &t[2], HIGH_PRI_DEVICE_BOOST);
    cr_assert_eq(t[2].exec_pri, CRITICAL_SECTION_BOOST + HIGH_PRI_DEVICE_BOOST);
    adjust_ok(s, &t[1], TIME_CRITICAL_BOOST);
    cr_assert_eq(picked(s, t, 3), 1);
    adjust_ok(s, &t[1], -(int32_t)TIME_CRITICAL_BOOST);
    cr_assert_eq(picked(s, t, 3), 2);
    adjust_ok(s, &t[2], -(int32_t)CRITICAL_SECTION_BOOST);
    cr_assert_eq(picked(s, t, 3), 2, "still above the others by HIGH_PRI_DEVICE_BOOST");
    adjust_ok(s, &t[2], -(int32_t)HIGH_PRI_DEVICE_BOOST);
    cr_assert_eq(t[2].exec_pri, 0);
    cr_assert_eq(picked(s, t, 3), 0, "back at its base, behind the others in turn");
    check_ok(s);

    block_ok(s, &t[0]);
    adjust_ok(s, &t[0], CUR_RUN_VM_BOOST);      /* blocked: only the number changes */
    cr_assert_eq(t[0].exec_pri, CUR_RUN_VM_BOOST);
    cr_assert_eq(picked(s, t, 3), 1);
    cr_assert_eq(sched_count(s), 2);
    check_ok(s);
    ready_ok(s, &t[0]);
    cr_assert_eq(picked(s, t, 3), 0);
    adjust_ok(s, &t[0], 0);                     /* no change, no move */
    cr_assert_eq(picked(s, t, 3), 0);
    check_ok(s);
    free(t);
    free(s);
}

/* A boosted thread joins the tail of its new level: the threads already there keep their turns.
 * So does an unboosted one. */
Test(sched, adjusted_thread_joins_the_tail)
{
    struct sched *s = new_sched(1);             /* slices of 1 tick for weight 100 */
    struct sched_thread *t = new_threads(s, 4, 5, 100);
    for (unsigned i = 0; i < 3; i++)
        ready_ok(s, &t[i]);
    t[3].exec_pri = 1;
    ready_ok(s, &t[3]);
    adjust_ok(s, &t[3], 4);
    TURNS(s, t, 4, 0, 1, 1, 1, 2, 1, 3, 1, 0, 1, 1, 1);
    adjust_ok(s, &t[2], 10);
    adjust_ok(s, &t[2], -10);                   /* back at 5, now behind 3 and 0 */
    TURNS(s, t, 4, 3, 1, 0, 1, 1, 1, 2, 1, 3, 1);
    check_ok(s);
    free(t);
    free(s);
}

/* ---- the time-slicer ------------------------------------------------------------------------- */

/* Equal threads take turns in the order they became ready, one slice each (granularity 20 and
 * weight 100: 20 ticks). */
Test(sched, fifo_among_equals)
{
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, 4, 3, 100);
    const int order[4] = { 2, 0, 3, 1 };
    for (unsigned i = 0; i < 4; i++)
        ready_ok(s, &t[order[i]]);
    for (int round = 0; round < 3; round++)
        TURNS(s, t, 4, 2, 20, 0, 20, 3, 20, 1, 20);
    check_ok(s);
    free(t);
    free(s);
}

/* A slice is granularity * weight / 100 ticks: 100 -> 20, 50 -> 10, 1 -> 0.2.  A slice shorter
 * than a tick is realised on average: the thread runs one tick, owes 0.8, and is passed over
 * for four rounds while it earns that back -- one tick every fifth round. */
Test(sched, slice_lengths)
{
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, 3, 0, 100);
    weight_ok(s, &t[1], 50);
    weight_ok(s, &t[2], 1);
    for (unsigned i = 0; i < 3; i++)
        ready_ok(s, &t[i]);
    for (int k = 0; k < 3; k++) {
        TURNS(s, t, 3, 0, 20, 1, 10, 2, 1);
        TURNS(s, t, 3, 0, 20, 1, 10, 0, 20, 1, 10, 0, 20, 1, 10, 0, 20, 1, 10);
        check_ok(s);
    }
    free(t);
    free(s);
}

/* The fraction of a tick is carried: granularity 3, weight 50 -> 1.5 ticks a turn, so turns of
 * 2 and 1 ticks alternate (the overrun of the first paid back by the second). */
Test(sched, fractions_are_carried)
{
    struct sched *s = new_sched(3);
    struct sched_thread *t = new_threads(s, 2, 0, 50);
    ready_ok(s, &t[0]);
    ready_ok(s, &t[1]);
    TURNS(s, t, 2, 0, 2, 1, 2, 0, 1, 1, 1, 0, 2, 1, 2, 0, 1, 1, 1);
    free(t);
    free(s);
}

/* charge's answer: 0 while the slice lasts, 1 when it ends and another thread shares the
 * priority, 0 when it ends but the thread is alone; 1 when a higher thread is ready; 1 for a
 * thread that is not ready. */
Test(sched, charge_says_when_to_switch)
{
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, 3, 0, 100);
    ready_ok(s, &t[0]);
    for (int u = 0; u < 100; u++)
        cr_assert_eq(sched_charge(s, &t[0], 1), 0, "alone, tick %d", u);
    ready_ok(s, &t[1]);
    uint32_t left = (uint32_t)(t[0].credit / 100);
    cr_assert_gt(left, 0);
    for (uint32_t u = 1; u < left; u++)
        cr_assert_eq(sched_charge(s, &t[0], 1), 0, "tick %u of %u left", u, left);
    cr_assert_eq(sched_charge(s, &t[0], 1), 1, "slice over with a peer ready");
    cr_assert_eq(picked(s, t, 3), 1);
    t[2].exec_pri = 1;
    ready_ok(s, &t[2]);
    cr_assert_eq(sched_charge(s, &t[1], 1), 1, "a higher thread is ready");
    cr_assert_eq(sched_charge(s, &t[1], 0), 1);
    cr_assert_eq(sched_charge(s, &t[2], 0), 0);
    block_ok(s, &t[2]);
    cr_assert_eq(sched_charge(s, &t[2], 1), 1, "a blocked thread");
    cr_assert_eq(sched_charge(s, &t[1], 0), 0);
    check_ok(s);
    free(t);
    free(s);
}

/* Adjust_Execution_Time: extra time lengthens the running turn up to a full slice and no
 * further; time taken away is charged, ending the turn when it runs out. */
Test(sched, credit_adjusts_the_turn)
{
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, 2, 0, 100);
    ready_ok(s, &t[0]);
    ready_ok(s, &t[1]);
    for (int u = 0; u < 15; u++)
        cr_assert_eq(sched_charge(s, &t[0], 1), 0);
    cr_assert_eq(t[0].credit, 500, "5 ticks left");
    cr_assert_eq(sched_credit(s, &t[0], 10), 0);
    cr_assert_eq(t[0].credit, 1500, "10 more: 15 left");
    cr_assert_eq(sched_credit(s, &t[0], 100), 0);
    cr_assert_eq(t[0].credit, 2000, "at most a full slice");
    for (int u = 0; u < 19; u++)
        cr_assert_eq(sched_charge(s, &t[0], 1), 0, "tick %d of the lengthened turn", u);
    cr_assert_eq(sched_credit(s, &t[0], -5), 1, "time taken away ends the turn");
    cr_assert_eq(picked(s, t, 2), 1);
    cr_assert_eq(t[0].credit, 2000 - 400, "owed 4 ticks, then earned its next slice");
    cr_assert_eq(sched_credit(s, &t[1], 0), 0, "0 changes nothing");
    check_ok(s);
    free(t);
    free(s);
}

/* 100/50/50 over 100,000 ticks: exactly 50/25/25 (2,500 whole rounds of 40 ticks). */
Test(sched, shares_100_50_50)
{
    struct sched *s = new_sched(20);
    const uint32_t w[3] = { 100, 50, 50 };
    struct sched_thread *t = new_threads(s, 3, 0, 100);
    for (unsigned i = 0; i < 3; i++) {
        weight_ok(s, &t[i], w[i]);
        ready_ok(s, &t[i]);
    }
    uint64_t got[3] = { 0 };
    run(s, t, 3, 100000, got);
    expect_shares(got, w, 3, 0.01);
    cr_assert_eq(got[0], 50000);
    cr_assert_eq(got[1], 25000);
    cr_assert_eq(got[2], 25000);
    check_ok(s);
    free(t);
    free(s);
}

/* Shares within 1 % for other weight sets and granularities. */
static void shares_case(uint32_t gran, const uint32_t *w, unsigned n, uint64_t units)
{
    struct sched *s = new_sched(gran);
    struct sched_thread *t = new_threads(s, n, 42, 100);
    for (unsigned i = 0; i < n; i++) {
        weight_ok(s, &t[i], w[i]);
        ready_ok(s, &t[i]);
    }
    uint64_t *got = calloc(n, sizeof *got);
    run(s, t, n, units, got);
    expect_shares(got, w, n, 0.01);
    check_ok(s);
    free(got);
    free(t);
    free(s);
}

Test(sched, shares_extreme_weights)
{
    const uint32_t w[2] = { 1, 10000 };
    shares_case(20, w, 2, 100000);
    shares_case(1, w, 2, 100000);
    shares_case(1000, w, 2, 10000000);          /* slices of 10 and 100,000 ticks: exact */
}

Test(sched, shares_equal_weights)
{
    const uint32_t w[5] = { 50, 50, 50, 50, 50 };
    shares_case(20, w, 5, 100000);
    const uint32_t v[5] = { 10000, 10000, 10000, 10000, 10000 };
    shares_case(20, v, 5, 1000000);
}

Test(sched, shares_random_weights)
{
    uint64_t rng = 0x5EED5EEDu;
    for (int c = 0; c < 4; c++) {
        uint32_t w[7];
        for (unsigned i = 0; i < 7; i++)
            w[i] = 1 + (uint32_t)(rng_next(&rng) % 10000);
        shares_case(20, w, 7, 2000000);
    }
    const uint32_t w[7] = { 1, 2, 3, 5, 8, 13, 21 };
    shares_case(100, w, 7, 100000);
}

/* Charges of varying size, as from TSC deltas (1..5,000 units; slices of 1,000..10,000,000
 * units, so the smallest ones are overrun by up to four slices): shares still converge. */
Test(sched, shares_with_tsc_charges)
{
    uint64_t rng = 77;
    for (int c = 0; c < 3; c++) {
        const uint32_t n = 5;
        uint32_t w[5];
        for (unsigned i = 0; i < n; i++)
            w[i] = c == 0 ? (i == 0 ? 100 : 50) : 1 + (uint32_t)(rng_next(&rng) % 10000);
        struct sched *s = new_sched(100000);
        struct sched_thread *t = new_threads(s, n, 0, 100);
        for (unsigned i = 0; i < n; i++) {
            weight_ok(s, &t[i], w[i]);
            ready_ok(s, &t[i]);
        }
        uint64_t got[5] = { 0 };
        for (int step = 0; step < 1000000; step++) {
            int i = picked(s, t, n);
            uint32_t u = 1 + (uint32_t)(rng_next(&rng) % 5000);
            got[i] += u;
            sched_charge(s, &t[i], u);
        }
        expect_shares(got, w, n, 0.01);
        check_ok(s);
        free(t);
        free(s);
    }
}

/* ---- blocking, readying, yielding ------------------------------------------------------------ */

/* A thread that blocks mid-slice keeps the rest: it readies at the tail, waits for the others'
 * turns, then runs what was left. */
Test(sched, block_mid_slice_keeps_the_rest)
{
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, 3, 0, 100);
    for (unsigned i = 0; i < 3; i++)
        ready_ok(s, &t[i]);
    TURNS(s, t, 3, 0, 5);
    block_ok(s, &t[0]);
    cr_assert_eq(picked(s, t, 3), 1);
    TURNS(s, t, 3, 1, 7);
    ready_ok(s, &t[0]);                         /* at the tail: 1 goes on */
    TURNS(s, t, 3, 1, 13, 2, 20, 0, 15, 1, 20, 2, 20, 0, 20);
    check_ok(s);
    free(t);
    free(s);
}

/* A higher thread preempts mid-slice; when it blocks, the preempted thread resumes its turn with
 * what was left, before its peers. */
Test(sched, preempted_resumes_its_turn)
{
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, 3, 0, 100);
    ready_ok(s, &t[0]);
    ready_ok(s, &t[1]);
    TURNS(s, t, 3, 0, 5);
    t[2].exec_pri = TIME_CRITICAL_BOOST;
    ready_ok(s, &t[2]);
    cr_assert_eq(sched_charge(s, &t[0], 1), 1, "the running one learns it must switch");
    TURNS(s, t, 3, 2, 50);
    block_ok(s, &t[2]);
    TURNS(s, t, 3, 0, 14, 1, 20, 0, 20);
    check_ok(s);
    free(t);
    free(s);
}

/* A thread that blocks after every tick and readies at once (an I/O-bound thread) cannot take
 * more than its share: the CPU-bound peers of equal weight each keep at least a third. */
Test(sched, frequent_blocker_does_not_starve_others)
{
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, 3, 9, 100);
    for (unsigned i = 0; i < 3; i++)
        ready_ok(s, &t[i]);
    uint64_t got[3] = { 0 };
    for (int u = 0; u < 60000; u++) {
        int i = picked(s, t, 3);
        got[i]++;
        sched_charge(s, &t[i], 1);
        if (i == 0) {
            block_ok(s, &t[0]);
            ready_ok(s, &t[0]);
        }
    }
    cr_assert_leq(got[0], 60000 / 3 + 600, "blocker got %llu", (unsigned long long)got[0]);
    cr_assert_geq(got[1], 60000 / 3 - 600, "peer got %llu", (unsigned long long)got[1]);
    cr_assert_geq(got[2], 60000 / 3 - 600, "peer got %llu", (unsigned long long)got[2]);
    check_ok(s);
    free(t);
    free(s);
}

/* The worst case for the time-slicer: a thread that blocks one tick before its slice ends, every
 * time, and readies at once.  It still gets no more than a third. */
Test(sched, blocker_at_end_of_slice_does_not_starve_others)
{
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, 3, 9, 100);
    for (unsigned i = 0; i < 3; i++)
        ready_ok(s, &t[i]);
    uint64_t got[3] = { 0 };
    for (int u = 0; u < 60000; u++) {
        int i = picked(s, t, 3);
        got[i]++;
        sched_charge(s, &t[i], 1);
        if (i == 0 && t[0].credit == 100) {
            block_ok(s, &t[0]);
            ready_ok(s, &t[0]);
        }
    }
    cr_assert_leq(got[0], 60000 / 3 + 600, "blocker got %llu", (unsigned long long)got[0]);
    cr_assert_geq(got[1], 60000 / 3 - 600);
    cr_assert_geq(got[2], 60000 / 3 - 600);
    check_ok(s);
    free(t);
    free(s);
}

/* Release_Time_Slice: the rest of the running thread's slice goes to its peers, and its next
 * turn is a whole slice (not the rest plus a slice).  Alone, it keeps running.  A thread that is
 * not the head gives up its next turn. */
Test(sched, yield)
{
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, 3, 0, 100);
    ready_ok(s, &t[0]);
    TURNS(s, t, 3, 0, 3);
    sched_yield(s, &t[0]);
    cr_assert_eq(picked(s, t, 3), 0, "alone: still picked");
    cr_assert_eq(t[0].credit, 2000, "a whole new slice");
    ready_ok(s, &t[1]);
    ready_ok(s, &t[2]);
    TURNS(s, t, 3, 0, 7);
    sched_yield(s, &t[0]);
    cr_assert_eq(t[0].credit, 2000);
    TURNS(s, t, 3, 1, 20, 2, 4);
    sched_yield(s, &t[2]);
    TURNS(s, t, 3, 0, 20, 1, 20, 2, 20, 0, 20);
    sched_yield(s, &t[2]);                      /* not the head: gives up its next turn */
    cr_assert_eq(t[2].credit, 0);
    TURNS(s, t, 3, 1, 20, 0, 20, 1, 20, 0, 20, 2, 20, 1, 20);
    block_ok(s, &t[2]);
    sched_yield(s, &t[2]);                      /* not ready: nothing */
    cr_assert_eq(sched_count(s), 2);
    check_ok(s);
    free(t);
    free(s);
}

/* Set_Time_Slice_Priority: a lower weight cuts the current turn short; shares follow the new
 * weights from then on. */
Test(sched, set_weight)
{
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, 2, 0, 100);
    ready_ok(s, &t[0]);
    ready_ok(s, &t[1]);
    TURNS(s, t, 2, 0, 2);
    weight_ok(s, &t[0], 25);                    /* slice 5: 18 ticks left cut to 5 */
    cr_assert_eq(t[0].credit, 500);
    TURNS(s, t, 2, 0, 5, 1, 20, 0, 5, 1, 20);
    weight_ok(s, &t[1], 10000);                 /* a longer slice from its next turn on */
    TURNS(s, t, 2, 0, 5, 1, 20, 0, 5, 1, 2000, 0, 5);
    block_ok(s, &t[1]);
    weight_ok(s, &t[1], 1);                     /* blocked: allowed; credit cut to 0.2 tick */
    cr_assert_eq(t[1].credit, 20);
    cr_assert_eq(sched_charge(s, &t[1], 5), 1);
    cr_assert_eq(t[1].credit, 20 - 500);
    weight_ok(s, &t[1], 1);
    cr_assert_eq(t[1].credit, 20 - 500, "within the debt bound: kept");
    sched_charge(s, &t[1], 1000);
    cr_assert_eq(t[1].credit, -1600, "16 units: the bound of a slice under one unit");
    weight_ok(s, &t[0], 100);
    check_ok(s);
    check_ok(s);
    free(t);
    free(s);
}

/* A charge of many slices at once (a long TSC delta) is paid back: the thread is passed over,
 * earning a slice each round, until it owes nothing; the others' turns are whole.  Alone, a
 * debt is forgiven.  Debt is bounded by SCHED_DEBT_SLICES slices, even for the largest charges
 * repeated on a blocked thread, and a thread at the bound is back after that many rounds. */
Test(sched, debt_is_paid_back)
{
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, 3, 0, 100);
    ready_ok(s, &t[0]);
    cr_assert_eq(sched_charge(s, &t[0], 65), 0, "alone: no switch");
    cr_assert_eq(t[0].credit, 2000, "alone: the debt is forgiven");

    ready_ok(s, &t[1]);
    cr_assert_eq(sched_charge(s, &t[0], 65), 1);    /* 65 of a 20-tick slice: 45 owed */
    cr_assert_eq(t[0].credit, -4500 + 2000);
    TURNS(s, t, 3, 1, 20, 1, 20);                   /* 0 passed over twice: -2500, -500 */
    cr_assert_eq(t[0].credit, 1500);
    TURNS(s, t, 3, 1, 20, 0, 15, 1, 20, 0, 20, 1, 20);
    check_ok(s);

    /* The largest charges: the debt stops at 16 slices. */
    cr_assert_eq(picked(s, t, 3), 0);
    for (int k = 0; k < 100; k++)
        sched_charge(s, &t[0], UINT32_MAX);
    cr_assert_geq(t[0].credit, -SCHED_DEBT_SLICES * 2000);
    check_ok(s);
    ready_ok(s, &t[2]);
    block_ok(s, &t[2]);
    for (int k = 0; k < 100000; k++)
        sched_charge(s, &t[2], UINT32_MAX);         /* blocked: no turns, the floor holds */
    cr_assert_eq(t[2].credit, -SCHED_DEBT_SLICES * 2000);
    block_ok(s, &t[0]);
    ready_ok(s, &t[2]);
    check_ok(s);
    /* 17 passes to earn back 16 slices and one more, one after each of t[1]'s turns; then t[1]
     * has the turn that follows the last pass, and t[2] runs. */
    for (int k = 0; k < 18; k++)
        TURNS(s, t, 3, 1, 20);
    TURNS(s, t, 3, 2, 20, 1, 20, 2, 20);
    check_ok(s);
    free(t);
    free(s);
}

/* When every thread of a level owes more than the skip cap can pass over, the head after
 * SCHED_SKIP_MAX passes runs one charge, owing; all of them are back in credit in a bounded
 * number of ticks and shares stay fair. */
Test(sched, skip_cap)
{
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, 3, 0, 1);  /* slices of 0.2 ticks */
    for (unsigned i = 0; i < 3; i++)
        ready_ok(s, &t[i]);
    for (unsigned i = 0; i < 3; i++)
        sched_charge(s, &t[i], 3);                  /* each owes 15 slices */
    check_ok(s);
    unsigned owing = 0;                         /* picks of a thread with credit <= 0 */
    for (int u = 0; u < 100; u++) {
        int i = picked(s, t, 3);
        owing += t[i].credit <= 0;
        sched_charge(s, &t[i], 1);
        check_ok(s);
    }
    cr_assert_gt(owing, 0, "the cap was never reached");
    uint64_t got[3] = { 0 };
    run(s, t, 3, 30000, got);
    const uint32_t w[3] = { 1, 1, 1 };
    expect_shares(got, w, 3, 0.01);
    check_ok(s);
    free(t);
    free(s);
}

/* ---- refusals -------------------------------------------------------------------------------- */

/* Each refused call leaves the queue and the thread exactly as they were. */
Test(sched, refusals)
{
    struct sched *s = new_sched(20), *s2 = new_sched(20);
    struct sched_thread *t = new_threads(s, 5, 0x100, 100);
    t[4].exec_pri = 0xFFFFFF00u;
    ready_ok(s, &t[0]);
    ready_ok(s, &t[1]);
    ready_ok(s2, &t[3]);
    struct sched *snap = malloc(sizeof *snap);
    struct sched_thread *tsnap = malloc(5 * sizeof *tsnap);
    memcpy(snap, s, sizeof *s);
    memcpy(tsnap, t, 5 * sizeof *t);
    struct kerr e;
    char want[96];

    strcpy(e.msg, "");
    ksnprintf(want, sizeof want, "thread %p is already ready (exec priority 0x100)",
              (void *)&t[0]);
    expect_err(sched_ready(s, &t[0], &e), &e, want);
    strcpy(e.msg, "");
    expect_err(sched_ready(s, &t[3], &e), &e, "in another scheduler");
    strcpy(e.msg, "");
    ksnprintf(want, sizeof want, "thread %p is not ready", (void *)&t[2]);
    expect_err(sched_block(s, &t[2], &e), &e, want);
    strcpy(e.msg, "");
    expect_err(sched_block(s, &t[3], &e), &e, "is ready in another scheduler");
    strcpy(e.msg, "");
    expect_err(sched_adjust(s, &t[3], 1, &e), &e, "is ready in another scheduler");
    strcpy(e.msg, "");
    expect_err(sched_set_weight(s, &t[3], 1, &e), &e, "is ready in another scheduler");

    strcpy(e.msg, "");
    expect_err(sched_set_weight(s, &t[0], 0, &e), &e, "time-slice priority 0 out of range");
    strcpy(e.msg, "");
    expect_err(sched_set_weight(s, &t[2], 10001, &e), &e, "time-slice priority 10001");
    strcpy(e.msg, "");
    expect_err(sched_adjust(s, &t[0], -0x101, &e), &e, "exec priority 0x100 minus 0x101 wraps "
                                                      "below 0");
    strcpy(e.msg, "");
    expect_err(sched_adjust(s, &t[2], INT32_MIN, &e), &e, "minus 0x80000000");
    strcpy(e.msg, "");
    expect_err(sched_adjust(s, &t[4], 0x100, &e), &e, "exec priority 0xffffff00 plus 0x100 wraps "
                                                     "above 0xffffffff");
    cr_assert_eq(sched_adjust(s, &t[0], -0x101, NULL), -1, "refusal with e == NULL");
    cr_assert_eq(sched_ready(s, &t[0], NULL), -1);
    cr_assert_eq(sched_block(s, &t[2], NULL), -1);

    cr_assert_eq(memcmp(snap, s, sizeof *s), 0, "a refusal changed the queue");
    cr_assert_eq(memcmp(tsnap, t, 5 * sizeof *t), 0, "a refusal changed a thread");
    check_ok(s);
    check_ok(s2);

    /* Never initialised: refused, not followed. */
    struct sched_thread junk;
    memset(&junk, 0x77, sizeof junk);
    strcpy(e.msg, "");
    expect_err(sched_ready(s, &junk, &e), &e, "not initialised (state 0x77777777)");
    strcpy(e.msg, "");
    expect_err(sched_block(s, &junk, &e), &e, "not initialised");
    strcpy(e.msg, "");
    expect_err(sched_adjust(s, &junk, 1, &e), &e, "not initialised");
    strcpy(e.msg, "");
    expect_err(sched_set_weight(s, &junk, 5, &e), &e, "not initialised");
    sched_yield(s, &junk);
    cr_assert_eq(memcmp(snap, s, sizeof *s), 0);
    free(snap);
    free(tsnap);
    free(t);
    free(s);
    free(s2);
}

/* The edges of the 32-bit priority: 0 and 0xFFFFFFFF are reachable, one past is refused. */
Test(sched, priority_edges)
{
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, 2, 0x80000000u, 100);
    ready_ok(s, &t[0]);
    ready_ok(s, &t[1]);
    adjust_ok(s, &t[0], INT32_MIN);
    cr_assert_eq(t[0].exec_pri, 0);
    adjust_ok(s, &t[1], INT32_MAX);
    cr_assert_eq(t[1].exec_pri, 0xFFFFFFFFu);
    struct kerr e;
    strcpy(e.msg, "");
    expect_err(sched_adjust(s, &t[1], 1, &e), &e, "0xffffffff plus 0x1 wraps");
    strcpy(e.msg, "");
    expect_err(sched_adjust(s, &t[0], -1, &e), &e, "0x0 minus 0x1 wraps below 0");
    cr_assert_eq(picked(s, t, 2), 1);
    adjust_ok(s, &t[1], -(int32_t)0x7FFFFFFF);
    adjust_ok(s, &t[1], -(int32_t)0x7FFFFFFF);
    cr_assert_eq(t[1].exec_pri, 1);
    cr_assert_eq(picked(s, t, 2), 1);
    adjust_ok(s, &t[1], -1);                    /* joins t[0] at 0, behind it */
    cr_assert_eq(picked(s, t, 2), 0);
    check_ok(s);
    free(t);
    free(s);
}

/* SCHED_LEVELS distinct priorities fit; one more is refused (ready or adjust) with nothing
 * changed; moving into a level in use still works, and so does moving a thread that is alone at
 * its level (its level is reused); blocking frees a level. */
Test(sched, too_many_levels)
{
    const unsigned n = SCHED_LEVELS + 2;
    struct sched *s = new_sched(20);
    struct sched_thread *t = new_threads(s, n, 0, 100);
    for (unsigned i = 0; i < SCHED_LEVELS; i++) {
        t[i].exec_pri = 1000 + 7 * i;
        ready_ok(s, &t[i]);
    }
    check_ok(s);
    cr_assert_eq(s->nlevels, SCHED_LEVELS);
    cr_assert_eq(picked(s, t, n), (int)SCHED_LEVELS - 1);
    t[SCHED_LEVELS].exec_pri = 5;
    t[SCHED_LEVELS + 1].exec_pri = 1000;        /* an existing level */
    ready_ok(s, &t[SCHED_LEVELS + 1]);

    struct sched *snap = malloc(sizeof *snap);
    struct sched_thread *tsnap = malloc(n * sizeof *tsnap);
    memcpy(snap, s, sizeof *s);
    memcpy(tsnap, t, n * sizeof *t);
    struct kerr e;
    strcpy(e.msg, "");
    char want[96];
    ksnprintf(want, sizeof want, "thread %p: exec priority 0x5 needs a new level, all 64 in use",
              (void *)&t[SCHED_LEVELS]);
    expect_err(sched_ready(s, &t[SCHED_LEVELS], &e), &e, want);
    strcpy(e.msg, "");
    expect_err(sched_adjust(s, &t[0], 1, &e), &e, "exec priority 0x3e9 needs a new level");
    cr_assert_eq(memcmp(snap, s, sizeof *s), 0, "a refusal changed the queue");
    cr_assert_eq(memcmp(tsnap, t, n * sizeof *t), 0, "a refusal changed a thread");

    adjust_ok(s, &t[SCHED_LEVELS + 1], 7);      /* into the level of t[1] */
    adjust_ok(s, &t[5], 3);                     /* alone: its level is reused */
    cr_assert_eq(t[5].exec_pri, 1038);
    adjust_ok(s, &t[SCHED_LEVELS - 1], 1000000);
    cr_assert_eq(picked(s, t, n), (int)SCHED_LEVELS - 1);
    check_ok(s);
    cr_assert_eq(s->nlevels, SCHED_LEVELS);
    block_ok(s, &t[9]);
    ready_ok(s, &t[SCHED_LEVELS]);
    check_ok(s);
    cr_assert_eq(sched_count(s), n - 1);
    for (unsigned i = 0; i < n; i++)
        if (i != 9)
            block_ok(s, &t[i]);
    cr_assert_eq(s->nlevels, 0, "every level freed");
    cr_assert_null(sched_pick(s));
    check_ok(s);
    free(snap);
    free(tsnap);
    free(t);
    free(s);
}

/* ---- pick does not depend on the number of threads ------------------------------------------- */

/* With 10 and with 10,000 ready threads at one level and one above, pick returns the one above,
 * then, once it blocks, the first in turn; after each turn the next in turn, twice round. */
static void pick_at(unsigned n)
{
    struct sched *s = new_sched(1);
    struct sched_thread *t = new_threads(s, n + 1, 10, 100);
    for (unsigned i = 0; i < n; i++)
        ready_ok(s, &t[i]);
    t[n].exec_pri = 11;
    ready_ok(s, &t[n]);
    cr_assert_eq(picked(s, t, n + 1), (int)n);
    block_ok(s, &t[n]);
    for (unsigned i = 0; i < 2 * n; i++) {
        cr_assert_eq(picked(s, t, n + 1), (int)(i % n));
        sched_charge(s, &t[i % n], 1);
    }
    check_ok(s);
    cr_assert_eq(sched_count(s), n);
    free(t);
    free(s);
}

Test(sched, pick_right_at_10_and_10000)
{
    pick_at(10);
    pick_at(10000);
}

static double ns_per_pick(const struct sched *s)
{
    struct sched_thread *(*volatile pick)(const struct sched *) = sched_pick;
    volatile uintptr_t sink = 0;
    double best = 1e9;
    for (int rep = 0; rep < 7; rep++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (int k = 0; k < 200000; k++)
            sink += (uintptr_t)pick(s);
        clock_gettime(CLOCK_MONOTONIC, &b);
        double ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) /
                    200000.0;
        if (ns < best)
            best = ns;
    }
    (void)sink;
    return best;
}

/* The cost of a pick at 10,000 ready threads is that at 10 (best of 7 runs each; a scan would
 * be about a thousand times slower, so a bound of 3x only guards against noise). */
Test(sched, pick_cost_does_not_grow)
{
    struct sched *s10 = new_sched(20), *s10k = new_sched(20);
    struct sched_thread *a = new_threads(s10, 10, 3, 100), *b = new_threads(s10k, 10000, 3, 100);
    for (unsigned i = 0; i < 10; i++)
        ready_ok(s10, &a[i]);
    for (unsigned i = 0; i < 10000; i++) {
        b[i].exec_pri = i % 50;                 /* 50 levels */
        ready_ok(s10k, &b[i]);
    }
    double c10 = ns_per_pick(s10), c10k = ns_per_pick(s10k);
    cr_log_info("sched_pick: %.2f ns at 10 threads, %.2f ns at 10,000", c10, c10k);
    cr_assert_lt(c10k, 3 * c10 + 1.0, "pick at 10,000: %.2f ns, at 10: %.2f ns", c10k, c10);
    cr_assert_eq(sched_pick(s10k), &b[49]);
    free(a);
    free(b);
    free(s10);
    free(s10k);
}

/* ---- sched_check catches corruption ---------------------------------------------------------- */

enum corrupt {
    C_RING_NEXT, C_RING_PREV, C_LEVEL_N_MORE, C_LEVEL_N_LESS, C_THREAD_PRI, C_THREAD_LEVEL,
    C_THREAD_STATE, C_THREAD_OWNER, C_ORDER, C_UP_LINK, C_COUNT, C_NLEVELS, C_FREE_HEAD,
    C_FREE_CYCLE, C_CREDIT, C_WEIGHT, C_EMPTY_LEVEL, C_NCORRUPT
};

Test(sched, check_catches_corruption)
{
    for (int c = 0; c < C_NCORRUPT; c++) {
        struct sched *s = new_sched(20);
        struct sched_thread *t = new_threads(s, 6, 1, 100);
        t[3].exec_pri = t[4].exec_pri = 2;
        t[5].exec_pri = 3;
        for (unsigned i = 0; i < 6; i++)
            ready_ok(s, &t[i]);
        check_ok(s);
        struct sched_level *top = &s->lv[s->top], *mid = &s->lv[top->down];
        struct sched_level *low = &s->lv[mid->down];
        switch (c) {
        case C_RING_NEXT:    t[1].next = &t[1]; break;
        case C_RING_PREV:    t[2].prev = &t[0]; break;
        case C_LEVEL_N_MORE: low->n++; break;
        case C_LEVEL_N_LESS: low->n--; break;
        case C_THREAD_PRI:   t[4].exec_pri = 9; break;
        case C_THREAD_LEVEL: t[0].level = (uint8_t)s->top; break;
        case C_THREAD_STATE: t[2].state = SCHED_T_BLOCKED; break;
        case C_THREAD_OWNER: t[5].owner = NULL; break;
        case C_ORDER:        top->pri = 1; t[5].exec_pri = 1; break;
        case C_UP_LINK:      low->up = SCHED_NIL; break;
        case C_COUNT:        s->count++; break;
        case C_NLEVELS:      s->nlevels--; break;
        case C_FREE_HEAD:    s->lv[s->free].head = &t[0]; break;
        case C_FREE_CYCLE:   s->lv[s->lv[s->free].down].down = s->free; break;
        case C_CREDIT:       t[3].credit = 2001; break;
        case C_WEIGHT:       t[3].weight = 0; break;
        case C_EMPTY_LEVEL:  top->n = 0; s->count--; break;
        }
        struct kerr e;
        strcpy(e.msg, "");
        cr_assert_lt(sched_check(s, &e), 0, "corruption %d not caught", c);
        cr_assert_gt(strlen(e.msg), 0, "corruption %d: no message", c);
        cr_log_info("corruption %d: %s", c, e.msg);
        free(t);
        free(s);
    }
}

/* ---- randomized model test ------------------------------------------------------------------- */

#define MT 96                           /* threads */
#define MPRI 80                         /* distinct priorities they use: more than SCHED_LEVELS */

/* The model keeps no queues: a level's turn order is the order of seq (when each thread last
 * went to the tail), its head the ready thread of that priority with the lowest seq. */
struct mthread {
    int ready;
    uint32_t pri, weight;
    int64_t credit;
    uint64_t seq;
};

struct model {
    struct sched *s;
    struct sched_thread *t;
    struct mthread m[MT];
    uint32_t pris[MPRI];
    uint64_t clock, rng;
    uint32_t gran;
    unsigned refusals, switches, skips;
};

static int64_t mquantum(const struct model *M, unsigned i)
{
    return (int64_t)M->gran * M->m[i].weight;
}

static int64_t mfloor(const struct model *M, unsigned i)
{
    int64_t q = mquantum(M, i);
    return -SCHED_DEBT_SLICES * (q < 100 ? 100 : q);
}

static void mclamp(const struct model *M, unsigned i)
{
    struct mthread *x = (struct mthread *)&M->m[i];
    if (x->credit > mquantum(M, i))
        x->credit = mquantum(M, i);
    if (x->credit < mfloor(M, i))
        x->credit = mfloor(M, i);
}

static unsigned mcount(const struct model *M, uint32_t pri)
{
    unsigned n = 0;
    for (unsigned i = 0; i < MT; i++)
        n += M->m[i].ready && M->m[i].pri == pri;
    return n;
}

/* The head of priority pri's level, or -1. */
static int mhead(const struct model *M, uint32_t pri)
{
    int h = -1;
    for (unsigned i = 0; i < MT; i++)
        if (M->m[i].ready && M->m[i].pri == pri && (h < 0 || M->m[i].seq < M->m[h].seq))
            h = (int)i;
    return h;
}

static void mend_turn(struct model *M, unsigned i)
{
    struct mthread *x = &M->m[i];
    x->credit = mcount(M, x->pri) == 1 ? mquantum(M, i) : x->credit + mquantum(M, i);
    x->seq = ++M->clock;
}

static void msettle(struct model *M, uint32_t pri)
{
    for (unsigned k = 0; k < SCHED_SKIP_MAX && mcount(M, pri) > 1; k++) {
        int h = mhead(M, pri);
        if (M->m[h].credit > 0)
            break;
        mend_turn(M, (unsigned)h);
        M->skips++;
    }
}

static void mjoin(struct model *M, unsigned i)
{
    mclamp(M, i);
    M->m[i].ready = 1;
    M->m[i].seq = ++M->clock;
    msettle(M, M->m[i].pri);
}

static void mleave(struct model *M, unsigned i)
{
    M->m[i].ready = 0;
    if (mcount(M, M->m[i].pri))
        msettle(M, M->m[i].pri);
}

/* Distinct priorities among the ready threads, and whether pri is one of them (leaving out
 * thread `skip`). */
static unsigned mlevels(const struct model *M, uint32_t pri, int *present, unsigned skip)
{
    unsigned k = 0;
    *present = 0;
    for (unsigned i = 0; i < MT; i++) {
        if (!M->m[i].ready)
            continue;
        int first = 1;
        for (unsigned j = 0; j < i; j++)
            if (M->m[j].ready && M->m[j].pri == M->m[i].pri)
                first = 0;
        k += first;
        if (i != skip && M->m[i].pri == pri)
            *present = 1;
    }
    return k;
}

static int mpick(const struct model *M)
{
    int best = -1;
    for (unsigned i = 0; i < MT; i++)
        if (M->m[i].ready && (best < 0 || M->m[i].pri > M->m[best].pri))
            best = (int)i;
    return best < 0 ? -1 : mhead(M, M->m[best].pri);
}

static void mcompare(const struct model *M, unsigned step)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    if (sched_check(M->s, &e))
        cr_assert_fail("step %u: sched_check: %s", step, e.msg);
    unsigned n = 0;
    for (unsigned i = 0; i < MT; i++) {
        const struct mthread *x = &M->m[i];
        const struct sched_thread *t = &M->t[i];
        n += x->ready;
        cr_assert_eq(t->state, x->ready ? SCHED_T_READY : SCHED_T_BLOCKED, "step %u thread %u",
                     step, i);
        cr_assert_eq(t->exec_pri, x->pri, "step %u thread %u", step, i);
        cr_assert_eq(t->weight, x->weight, "step %u thread %u", step, i);
        cr_assert_eq(t->credit, x->credit, "step %u thread %u: credit %lld, model %lld", step, i,
                     (long long)t->credit, (long long)x->credit);
    }
    cr_assert_eq(sched_count(M->s), n, "step %u", step);
    int want = mpick(M), got = picked(M->s, M->t, MT);
    cr_assert_eq(got, want, "step %u: pick %d, model %d", step, got, want);
    if (got >= 0)
        for (unsigned i = 0; i < MT; i++)
            cr_assert(!M->m[i].ready || M->m[i].pri <= M->m[got].pri,
                      "step %u: thread %u (0x%x) above the pick (0x%x)", step, i, M->m[i].pri,
                      M->m[got].pri);
}

static void mready(struct model *M, unsigned i, const char *full_msg)
{
    struct kerr e;
    strcpy(e.msg, "");
    struct mthread *x = &M->m[i];
    int present;
    unsigned lv = mlevels(M, x->pri, &present, i);
    int rc = sched_ready(M->s, &M->t[i], &e);
    if (x->ready) {
        expect_err(rc, &e, "already ready");
    } else if (!present && lv >= SCHED_LEVELS) {
        expect_err(rc, &e, full_msg);
    } else {
        cr_assert_eq(rc, 0, "ready: %s", e.msg);
        mjoin(M, i);
    }
    M->refusals += rc < 0;
}

static void mstep(struct model *M)
{
    struct kerr e;
    unsigned i = (unsigned)(rng_next(&M->rng) % MT);
    struct mthread *x = &M->m[i];
    struct sched_thread *t = &M->t[i];
    unsigned op = (unsigned)(rng_next(&M->rng) % 100);
    int rc;
    strcpy(e.msg, "");
    if (op < 20) {                                          /* ready */
        mready(M, i, "needs a new level");
    } else if (op < 35) {                                   /* block */
        rc = sched_block(M->s, t, &e);
        if (!x->ready) {
            expect_err(rc, &e, "is not ready");
        } else {
            cr_assert_eq(rc, 0, "block: %s", e.msg);
            mleave(M, i);
        }
        M->refusals += rc < 0;
    } else if (op < 50) {                                   /* adjust */
        int32_t d;
        unsigned how = (unsigned)(rng_next(&M->rng) % 4);
        if (how == 0)                                       /* to another used priority */
            d = (int32_t)(M->pris[rng_next(&M->rng) % MPRI] - x->pri);
        else if (how == 1)
            d = (int32_t)(rng_next(&M->rng) % 5) - 2;
        else if (how == 2)
            d = rng_next(&M->rng) & 1 ? INT32_MIN : INT32_MAX;
        else
            d = (int32_t)(uint32_t)rng_next(&M->rng);
        int64_t np = (int64_t)x->pri + d;
        int present;
        unsigned lv = mlevels(M, (uint32_t)np, &present, i);
        int alone = x->ready && mcount(M, x->pri) == 1;
        rc = sched_adjust(M->s, t, d, &e);
        if (np < 0 || np > UINT32_MAX) {
            expect_err(rc, &e, "wraps");
        } else if (x->ready && np != x->pri && !present && lv >= SCHED_LEVELS && !alone) {
            expect_err(rc, &e, "needs a new level");
        } else {
            cr_assert_eq(rc, 0, "adjust by %d: %s", d, e.msg);
            if (x->ready && np != x->pri) {
                mleave(M, i);
                x->pri = (uint32_t)np;
                mjoin(M, i);
            }
            x->pri = (uint32_t)np;
        }
        M->refusals += rc < 0;
    } else if (op < 58) {                                   /* set_weight */
        uint32_t w = rng_next(&M->rng) % 8 == 0 ? (uint32_t)(rng_next(&M->rng) % 3) * 10001u / 2
                                                : 1 + (uint32_t)(rng_next(&M->rng) % 10000);
        rc = sched_set_weight(M->s, t, w, &e);
        if (w < 1 || w > 10000) {
            expect_err(rc, &e, "out of range");
        } else {
            cr_assert_eq(rc, 0, "set_weight %u: %s", w, e.msg);
            x->weight = w;
            mclamp(M, i);
        }
        M->refusals += rc < 0;
    } else if (op < 63) {                                   /* yield */
        sched_yield(M->s, t);
        if (x->ready) {
            if (x->credit > 0)
                x->credit = 0;
            if (mhead(M, x->pri) == (int)i) {
                mend_turn(M, i);
                msettle(M, x->pri);
            } else {
                x->seq = ++M->clock;
            }
        }
    } else {                                                /* charge: mostly the pick */
        int p = mpick(M);
        unsigned k = p >= 0 && rng_next(&M->rng) % 8 ? (unsigned)p : i;
        struct mthread *y = &M->m[k];
        unsigned sz = (unsigned)(rng_next(&M->rng) % 32);
        uint32_t u = sz == 0 ? (uint32_t)rng_next(&M->rng)
                   : sz < 4 ? (uint32_t)(rng_next(&M->rng) % 100000)
                            : (uint32_t)(rng_next(&M->rng) % 4);
        rc = sched_charge(M->s, &M->t[k], u);
        if (u) {
            y->credit -= (int64_t)u * 100;
            if (y->credit < mfloor(M, k))
                y->credit = mfloor(M, k);
            if (y->credit <= 0 && y->ready && mhead(M, y->pri) == (int)k) {
                mend_turn(M, k);
                msettle(M, y->pri);
            }
        }
        cr_assert_eq(rc, mpick(M) != (int)k, "charge %u units to %u: returned %d", u, k, rc);
        M->switches += rc;
    }
}

static struct model *model_new(uint64_t seed, uint32_t gran)
{
    struct model *M = calloc(1, sizeof *M);
    cr_assert_not_null(M);
    M->rng = seed;
    M->gran = gran;
    M->s = new_sched(gran);
    M->t = malloc(MT * sizeof *M->t);
    cr_assert_not_null(M->t);
    memset(M->t, 0x5A, MT * sizeof *M->t);
    return M;
}

static void model_init_thread(struct model *M, unsigned i, uint32_t pri, uint32_t w)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    M->m[i].pri = pri;
    M->m[i].weight = w;
    M->m[i].credit = mquantum(M, i);
    cr_assert_eq(sched_thread_init(M->s, &M->t[i], pri, w, &e), 0, "%s", e.msg);
}

static void model_free(struct model *M)
{
    free(M->t);
    free(M->s);
    free(M);
}

static void model_run(uint64_t seed, uint32_t gran, unsigned steps)
{
    struct model *M = model_new(seed, gran);
    for (unsigned p = 0; p < MPRI; p++)
        M->pris[p] = p < 8 ? p * CRITICAL_SECTION_BOOST : (uint32_t)rng_next(&M->rng);
    /* a few priorities are common, so levels hold many threads; the rest spread out */
    for (unsigned i = 0; i < MT; i++)
        model_init_thread(M, i, M->pris[i % 3 ? rng_next(&M->rng) % 8 : rng_next(&M->rng) % MPRI],
                          1 + (uint32_t)(rng_next(&M->rng) % 200));
    mcompare(M, 0);
    for (unsigned k = 1; k <= steps; k++) {
        mstep(M);
        mcompare(M, k);
    }
    cr_assert_gt(M->refusals, 0);
    cr_assert_gt(M->switches, 0);
    cr_assert_gt(M->skips, 0, "no owing thread was ever passed over");
    cr_log_info("model seed %llu: %u refusals, %u switches, %u skips", (unsigned long long)seed,
                M->refusals, M->switches, M->skips);
    model_free(M);
}

Test(sched, randomized_model)
{
    model_run(1, 20, 8000);
    model_run(2, 1, 8000);
    model_run(3, 1000000, 8000);
    model_run(4, 3, 8000);
}

/* Driven into the level limit: most threads ready, spread over all MPRI priorities. */
Test(sched, randomized_model_many_levels)
{
    struct model *M = model_new(99, 20);
    for (unsigned p = 0; p < MPRI; p++)
        M->pris[p] = 1000 + 3 * p;
    for (unsigned i = 0; i < MT; i++)
        model_init_thread(M, i, M->pris[i % MPRI], 100);
    unsigned full = 0;
    for (unsigned k = 1; k <= 6000; k++) {
        if (k % 3 == 0) {                                   /* bias towards ready */
            unsigned before = M->refusals;
            unsigned i = (unsigned)(rng_next(&M->rng) % MT);
            int was = M->m[i].ready;
            mready(M, i, "all 64 in use");
            full += M->refusals > before && !was;
        } else {
            mstep(M);
        }
        mcompare(M, k);
    }
    cr_assert_gt(full, 0, "the level limit was never reached");
    cr_log_info("many levels: limit reached %u times", full);
    model_free(M);
}

/* Set_Time_Slice_Granularity: slices follow the new granularity (weight 100: granularity units,
 * weight 50: half), credits are clamped, 0 is refused, and the queue stays consistent. */
Test(sched, set_granularity)
{
    struct sched s;
    struct sched_thread a, b;
    struct kerr e;
    cr_assert_eq(sched_init(&s, 20, &e), 0);
    cr_assert_eq(sched_thread_init(&s, &a, 4, 100, &e), 0);
    cr_assert_eq(sched_thread_init(&s, &b, 4, 50, &e), 0);
    cr_assert_eq(sched_ready(&s, &a, &e), 0);
    cr_assert_eq(sched_ready(&s, &b, &e), 0);
    cr_assert_eq(sched_set_granularity(&s, 4, &e), 0, "%s", e.msg);
    cr_assert_eq(sched_check(&s, &e), 0, "%s", e.msg);
    cr_assert_leq(a.credit, 400);
    /* A full round now: a gets 4 ticks, b 2, in turn. */
    unsigned got_a = 0, got_b = 0;
    for (int i = 0; i < 600; i++) {
        struct sched_thread *t = sched_pick(&s);
        if (t == &a)
            got_a++;
        else
            got_b++;
        sched_charge(&s, t, 1);
        cr_assert_eq(sched_check(&s, &e), 0, "%s", e.msg);
    }
    cr_assert_eq(got_a, 400, "a (weight 100) got %u of 600", got_a);
    cr_assert_eq(got_b, 200, "b (weight 50) got %u of 600", got_b);
    cr_assert_eq(sched_set_granularity(&s, 0, &e), -1);
    cr_assert_neq(e.msg[0], 0);
    cr_assert_eq(s.granularity, 4, "a refused granularity changes nothing");
}
