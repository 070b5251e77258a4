/*
 * test_storealarm.c — the decision of storealarm.c (issue 16, item 1):
 * the grace before redis_evicts, once per episode, the retry schedule,
 * redis_ok only after a delivered redis_evicts, and the templates.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alert.h"
#include "message.h"
#include "mime.h"
#include "storealarm.h"
#include "tq_config.h"

#define G 5     /* grace */
#define R SA_REDIS_REFUSED
#define F SA_REDIS_FINE
#define U SA_REDIS_UNKNOWN

/* Steps every second over [from, to) with refused; returns the number of sends of want. */
static int
run(struct sa_state *s, enum sa_redis refused, int64_t from, int64_t to, enum sa_action want)
{
	int n = 0;

	for (int64_t t = from; t < to; t++) {
		enum sa_action a = storealarm_step(s, refused, t, 1000000 + t, G);

		if (a == want)
			n++;
		else
			assert_int_equal(a, SA_NONE);
	}
	return n;
}

static void
test_grace(void **state)
{
	struct sa_state s = { 0 };

	/* a refusal shorter than the grace: nothing, and nothing after it */
	assert_int_equal(run(&s, R, 100, 100 + G, SA_SEND_EVICTS), 0);
	assert_int_equal(run(&s, F, 105, 200, SA_SEND_OK), 0);
	assert_int_equal(s.phase, SA_IDLE);
	/* the grace counts from the first refused tick */
	assert_int_equal(storealarm_step(&s, SA_REDIS_REFUSED, 300, 1000300, G), SA_NONE);
	assert_int_equal(storealarm_step(&s, SA_REDIS_REFUSED, 304, 1000304, G), SA_NONE);
	assert_int_equal(storealarm_step(&s, SA_REDIS_REFUSED, 305, 1000305, G), SA_SEND_EVICTS);
	assert_int_equal(s.episode, 1000305);
	assert_true(s.inflight);
}

static void
test_once_per_episode(void **state)
{
	struct sa_state s = { 0 };

	assert_int_equal(run(&s, R, 10, 10 + G + 1, SA_SEND_EVICTS), 1);
	/* in flight: nothing else starts */
	assert_int_equal(run(&s, R, 16, 30, SA_SEND_EVICTS), 0);
	assert_int_equal(storealarm_result(&s, true, 30, 30, 3600), 0);
	assert_int_equal(s.phase, SA_WARNED);
	/* delivered: never again while the episode lasts */
	assert_int_equal(run(&s, R, 30, 10000, SA_SEND_EVICTS), 0);
	/* fixed: one redis_ok, same episode */
	assert_int_equal(storealarm_step(&s, SA_REDIS_FINE, 10000, 2000000, G), SA_SEND_OK);
	assert_int_equal(s.episode, 1000015);
	assert_int_equal(storealarm_result(&s, true, 10000, 30, 3600), 0);
	assert_int_equal(run(&s, F, 10001, 20000, SA_SEND_OK), 0);
	assert_int_equal(s.phase, SA_IDLE);
	assert_int_equal(s.episode, 0);
	/* a new episode mails again, with its own start */
	assert_int_equal(run(&s, R, 20000, 20000 + G + 1, SA_SEND_EVICTS), 1);
	assert_int_equal(s.episode, 1000000 + 20000 + G);
}

static void
test_retry_schedule(void **state)
{
	struct sa_state s = { 0 };
	const int64_t want[] = { 30, 60, 120, 240, 240, 240 };
	int64_t t = 100;

	assert_int_equal(run(&s, R, 95, 101, SA_SEND_EVICTS), 1);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(storealarm_result(&s, false, t, 30, 240), want[i]);
		assert_int_equal(s.tries, i + 1);
		/* nothing before the delay, one attempt when it is over */
		assert_int_equal(run(&s, R, t, t + want[i], SA_SEND_EVICTS), 0);
		t += want[i];
		assert_int_equal(storealarm_step(&s, SA_REDIS_REFUSED, t, 0, G), SA_SEND_EVICTS);
	}
	assert_int_equal(s.episode, 1000000 + 100);     /* one Message-ID over the retries */
	assert_int_equal(storealarm_result(&s, true, t, 30, 240), 0);
	assert_int_equal(s.tries, 0);
}

static void
test_ok_after_delivered_only(void **state)
{
	struct sa_state s = { 0 };
	const int64_t T = 100;  /* monotonic 0 means "not refused" */

	/* redis_evicts failed, then the policy was fixed: nobody was told, no redis_ok */
	assert_int_equal(run(&s, R, T, T + G + 1, SA_SEND_EVICTS), 1);
	storealarm_result(&s, false, T + G + 1, 30, 3600);
	assert_int_equal(run(&s, F, T + G + 1, 1000, SA_SEND_OK), 0);
	assert_int_equal(s.phase, SA_IDLE);

	/* delivered after the fix (it was in flight): redis_ok follows */
	memset(&s, 0, sizeof(s));
	assert_int_equal(run(&s, R, T, T + G + 1, SA_SEND_EVICTS), 1);
	assert_int_equal(run(&s, F, T + G + 1, T + G + 3, SA_SEND_OK), 0);
	storealarm_result(&s, true, T + G + 3, 30, 3600);
	assert_int_equal(storealarm_step(&s, SA_REDIS_FINE, T + G + 3, 0, G), SA_SEND_OK);

	/* redis_ok fails and is retried; refused again meanwhile: the warning stands, no mail */
	storealarm_result(&s, false, T + G + 4, 30, 3600);
	assert_int_equal(run(&s, R, T + G + 4, 5000, SA_SEND_EVICTS), 0);
	assert_int_equal(s.phase, SA_WARNED);
	/* fixed again: redis_ok at once */
	assert_int_equal(storealarm_step(&s, SA_REDIS_FINE, 5000, 0, G), SA_SEND_OK);
}

static void
test_templates(void **state)
{
	struct feed_alert fa = { .policy = "allkeys-lru", .since = "2026-03-02 09:00" };
	struct alert_text t = { 0 };
	char *mail = NULL;
	char *to[] = { "it@example.org" };
	struct alert_conf ac = { .enabled = true, .nto = 1, .to = to, .from = "teleqd@example.org" };

	assert_int_equal(alert_render_feed(NULL, AK_REDIS_EVICTS, &fa, &t), 0);
	assert_int_equal(t.kind, AK_REDIS_EVICTS);
	assert_non_null(strstr(t.subject, "allkeys-lru"));
	assert_non_null(strstr(t.subject, "Redis kan radera teleqds nycklar"));
	assert_non_null(strstr(t.body, "maxmemory-policy allkeys-lru sedan\n2026-03-02 09:00"));
	assert_non_null(strstr(t.body, "CONFIG SET maxmemory-policy noeviction"));
	assert_non_null(strstr(t.body, "redis.conf"));
	assert_non_null(strstr(t.body, "Inget går förlorat"));
	assert_int_equal(mail_build(&ac, "redis-evicts-1772438400", 1772438400, &t, &mail, NULL), 0);
	assert_non_null(strstr(mail, "Message-ID: <redis-evicts-1772438400@example.org>\n"));
	assert_non_null(strstr(mail, "X-Teleqd-Kind: redis_evicts\n"));
	free(mail);
	alert_text_done(&t);

	assert_int_equal(alert_render_feed(NULL, AK_REDIS_OK, NULL, &t), 0);
	assert_string_equal(t.subject, "Åtgärdat: Redis raderar inte längre nycklar, räkningen går igen");
	assert_string_equal(alert_kind_name(AK_REDIS_OK), "redis_ok");
	alert_text_done(&t);
	/* {policy} is a known placeholder; a custom template may use it */
	assert_int_equal(tpl_check("{policy}", 8, NULL), 0);
	assert_string_equal(alert_kind_name(AK_REDIS_EVICTS), "redis_evicts");
	assert_non_null(alert_default_template(AK_REDIS_EVICTS, false));
}

static void
test_unknown_is_no_news(void **state)
{
	struct sa_state s = { 0 };

	/* unknown (a reload, stopping, Redis away) never starts the grace */
	assert_int_equal(run(&s, U, 100, 200, SA_SEND_EVICTS), 0);
	assert_int_equal(s.refused_since, 0);
	assert_int_equal(run(&s, R, 200, 200 + G + 1, SA_SEND_EVICTS), 1);
	assert_int_equal(storealarm_result(&s, true, 206, 30, 3600), 0);
	/* a delivered warning, then a new store whose policy is not known yet: no all-clear */
	assert_int_equal(run(&s, U, 206, 1000, SA_SEND_OK), 0);
	assert_int_equal(s.phase, SA_WARNED);
	assert_int_equal(run(&s, R, 1000, 1010, SA_SEND_EVICTS), 0);
	/* known fine: the all-clear */
	assert_int_equal(storealarm_step(&s, F, 1010, 0, G), SA_SEND_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grace),
		cmocka_unit_test(test_once_per_episode),
		cmocka_unit_test(test_retry_schedule),
		cmocka_unit_test(test_ok_after_delivered_only),
		cmocka_unit_test(test_unknown_is_no_news),
		cmocka_unit_test(test_templates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
