/*
 * feeds_yaml.h — the two feeds the store tests configure (test_commit,
 * itest_store): "calls", a CSV call log counting call.booked and call.full
 * on channel phone, and "cases", a JSONL case feed opening cases with the
 * channel mapped from their source. A YAML fragment starting at `feeds:`;
 * it holds no '%', so it may also stand in a printf format.
 */
#ifndef TQ_TEST_FEEDS_YAML_H
#define TQ_TEST_FEEDS_YAML_H

#define FEEDS_CALLS_CASES_YAML \
	"feeds:\n" \
	"  - name: calls\n" \
	"    path: /nonexistent/calls-*.txt\n" \
	"    format: csv\n" \
	"    time: { field: t }\n" \
	"    event: { field: r, map: { B: call.booked, F: call.full } }\n" \
	"    set: { channel: phone }\n" \
	"  - name: cases\n" \
	"    path: /nonexistent/cases-*.jsonl\n" \
	"    format: jsonl\n" \
	"    time: { field: created }\n" \
	"    id: case_id\n" \
	"    event: { value: case.opened }\n" \
	"    dimensions:\n" \
	"      channel: { field: source, map: { web: digital, phone: phone } }\n"

#endif /* TQ_TEST_FEEDS_YAML_H */
