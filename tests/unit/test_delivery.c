/*
 * test_delivery.c — the pure delivery decisions of issue 16 item 7:
 * sendmail_status (notify.c: which ends of a sendmail child are
 * ambiguous, i.e. the relay may have the message) and delivery_decide
 * (outbox.c: retry, or park after alerts.delivery.max_ambiguous).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "notify.h"

/* Wait statuses as waitpid() reports them (Linux encoding). */
#define EXITED(c)   (((c) & 0xff) << 8)
#define SIGNALED(s) ((s) & 0x7f)

static void
test_wait_encoding(void **state)
{
	/* the helpers above are what the kernel gives */
	assert_true(WIFEXITED(EXITED(76)) && WEXITSTATUS(EXITED(76)) == 76);
	assert_true(WIFSIGNALED(SIGNALED(SIGKILL)) && WTERMSIG(SIGNALED(SIGKILL)) == SIGKILL);
}

static void
test_sendmail_delivered(void **state)
{
	assert_int_equal(sendmail_status(EXITED(0), false, true), 0);
	/* exit 0 even when it did not read everything: it said it took it */
	assert_int_equal(sendmail_status(EXITED(0), false, false), 0);
}

/* Exits that say "not taken": retried as before, never counted. */
static void
test_sendmail_definite(void **state)
{
	static const int codes[] = { 1, 64, 65, 66, 67, 68, 69, 71, 72, 73, 75, 77, 78, 255 };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		assert_int_equal(sendmail_status(EXITED(codes[i]), false, true), -EIO);
}

/* Read the whole message, then an end that does not say: ambiguous. */
static void
test_sendmail_ambiguous(void **state)
{
	/* EX_PROTOCOL: msmtp when the relay hangs up after DATA */
	assert_int_equal(sendmail_status(EXITED(76), false, true), NOTIFY_AMBIGUOUS);
	assert_int_equal(sendmail_status(EXITED(74), false, true), NOTIFY_AMBIGUOUS);  /* EX_IOERR */
	assert_int_equal(sendmail_status(EXITED(70), false, true), NOTIFY_AMBIGUOUS);  /* EX_SOFTWARE */
	assert_int_equal(sendmail_status(SIGNALED(SIGSEGV), false, true), NOTIFY_AMBIGUOUS);
	/* killed by us after the deadline */
	assert_int_equal(sendmail_status(SIGNALED(SIGKILL), true, true), NOTIFY_AMBIGUOUS);
	assert_true(NOTIFY_AMBIGUOUS < 0);      /* still a failure for every other caller */
}

/* Not to the end of the message: it cannot have sent it all. */
static void
test_sendmail_not_read(void **state)
{
	assert_int_equal(sendmail_status(EXITED(76), false, false), -EIO);
	assert_int_equal(sendmail_status(SIGNALED(SIGKILL), true, false), -EIO);
	assert_int_equal(sendmail_status(SIGNALED(SIGSEGV), false, false), -EIO);
}

static void
test_decide(void **state)
{
	assert_int_equal(delivery_decide(0, 0, 3), DA_DONE);
	assert_int_equal(delivery_decide(0, 3, 3), DA_DONE);
	/* definite failures: retried however many ambiguous ones came before */
	assert_int_equal(delivery_decide(-EIO, 0, 3), DA_RETRY);
	assert_int_equal(delivery_decide(-ETIMEDOUT, 99, 3), DA_RETRY);
	assert_int_equal(delivery_decide(-EIO, 0, 0), DA_RETRY);
	/* ambiguous number 1..3 retried, number 4 parks: at most 4 arrivals */
	assert_int_equal(delivery_decide(NOTIFY_AMBIGUOUS, 0, 3), DA_RETRY);
	assert_int_equal(delivery_decide(NOTIFY_AMBIGUOUS, 2, 3), DA_RETRY);
	assert_int_equal(delivery_decide(NOTIFY_AMBIGUOUS, 3, 3), DA_PARK);
	assert_int_equal(delivery_decide(NOTIFY_AMBIGUOUS, 7, 3), DA_PARK);
	/* 0: parked at the first ambiguous outcome */
	assert_int_equal(delivery_decide(NOTIFY_AMBIGUOUS, 0, 0), DA_PARK);
}

/* The bound as a whole: attempts that reach the relay, every one ambiguous. */
static void
test_decide_bound(void **state)
{
	for (unsigned max = 0; max <= 5; max++) {
		unsigned amb = 0, arrivals = 0;

		for (;;) {
			arrivals++;
			if (delivery_decide(NOTIFY_AMBIGUOUS, amb, max) == DA_PARK)
				break;
			amb++;
			assert_true(arrivals < 100);
		}
		assert_int_equal(arrivals, 1 + max);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait_encoding),
		cmocka_unit_test(test_sendmail_delivered),
		cmocka_unit_test(test_sendmail_definite),
		cmocka_unit_test(test_sendmail_ambiguous),
		cmocka_unit_test(test_sendmail_not_read),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_decide_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
