/*
 * fixture_config.h — a hand-built struct config for unit tests of pure code
 * (combo, indicator), so they do not depend on the YAML parser.
 *
 * Events:     1 call.offered, 2 call.booked, 3 case.new
 * Dimensions (sorted by name, as config.c keeps them):
 *   0 channel: 1 1177, 2 phone, 3 letter, 4 visit
 *   1 party:   1 patient, 2 relative, 3 provider
 *   2 type:    1 patientarende, 2 informationsarende
 * Indicators:
 *   0 digitala_patientkontakter  ratio pooled  case.new & channel=1177 & party in
 *                                 (patient, relative) / case.new & party in (patient, relative)  >= 0.55
 *   1 analoga_patientkontakter   ratio mean of months  call.booked / call.offered  >= 0.75
 *   2 okning_arenden             growth  case.new & party in (patient, relative)  > 0.05
 */
#ifndef FIXTURE_CONFIG_H
#define FIXTURE_CONFIG_H

#include "tq_config.h"

enum { EV_OFFERED = 1, EV_BOOKED = 2, EV_CASE = 3 };
enum { D_CHANNEL = 0, D_PARTY = 1, D_TYPE = 2 };
enum { CH_1177 = 1, CH_PHONE = 2, CH_LETTER = 3, CH_VISIT = 4 };
enum { PA_PATIENT = 1, PA_RELATIVE = 2, PA_PROVIDER = 3 };
enum { IND_DIGITAL = 0, IND_TELEQ = 1, IND_GROWTH_CASES = 2 };

static uint16_t fx_ev_case[] = { EV_CASE };
static uint16_t fx_ev_booked[] = { EV_BOOKED };
static uint16_t fx_ev_offered[] = { EV_OFFERED };
static uint16_t fx_ch_1177[] = { CH_1177 };
static uint16_t fx_pa_people[] = { PA_PATIENT, PA_RELATIVE };

static struct clause fx_digital_num[] = {
	{ .dim = -1, .n = 1, .ids = fx_ev_case },
	{ .dim = D_CHANNEL, .n = 1, .ids = fx_ch_1177 },
	{ .dim = D_PARTY, .n = 2, .ids = fx_pa_people },
};
static struct clause fx_digital_den[] = {
	{ .dim = -1, .n = 1, .ids = fx_ev_case },
	{ .dim = D_PARTY, .n = 2, .ids = fx_pa_people },
};
static struct clause fx_teleq_num[] = { { .dim = -1, .n = 1, .ids = fx_ev_booked } };
static struct clause fx_teleq_den[] = { { .dim = -1, .n = 1, .ids = fx_ev_offered } };

static struct indicator fx_indicators[] = {
	{
		.name = "digitala_patientkontakter", .title = "Digitala patientkontakter",
		.kind = IND_RATIO, .num = { 3, fx_digital_num }, .den = { 2, fx_digital_den },
		.cmp = CMP_GE, .target = 0.55, .combine = COMBINE_POOLED,
		.cadence = CADENCE_MONTH, .min_denominator = 0,
	},
	{
		.name = "analoga_patientkontakter", .title = "Analoga patientkontakter (TeleQ)",
		.kind = IND_RATIO, .num = { 1, fx_teleq_num }, .den = { 1, fx_teleq_den },
		.cmp = CMP_GE, .target = 0.75, .combine = COMBINE_MEAN_OF_MONTHS,
		.cadence = CADENCE_MONTH, .min_denominator = 0,
	},
	{
		.name = "okning_arenden", .title = "Ökning av patientärenden",
		.kind = IND_GROWTH, .num = { 2, fx_digital_den },
		.cmp = CMP_GT, .target = 0.05, .combine = COMBINE_POOLED,
		.cadence = CADENCE_QUARTER, .min_denominator = 0,
	},
};

/*
 * The seeds' manual rows (kind: manual), for tests that add them to a
 * config: 0 analyser (a count, >= 2), 1 kunskapsspridning (a count, > 3,
 * under the heading "Stödpersonsuppdraget"), 2 periodresultat (kronor,
 * >= 0), 3 prognos_budget (kronor, no target), 4 nojda (a percent,
 * >= 50,5 %). A copy, so a test may change it.
 */
enum { FX_MANUALS = 5 };
static inline struct manual_ind
fx_manual(unsigned k)
{
	static const struct manual_ind rows[FX_MANUALS] = {
		{ .name = "analyser", .title = "Antal analyser som produceras", .unit = UNIT_COUNT,
		  .has_target = true, .cmp = CMP_GE, .target = 2 },
		{ .name = "kunskapsspridning", .title = "Kunskapsspridning om stödpersonsuppdraget",
		  .unit = UNIT_COUNT, .has_target = true, .cmp = CMP_GT, .target = 3,
		  .heading = "Stödpersonsuppdraget" },
		{ .name = "periodresultat", .title = "Periodresultat budget", .unit = UNIT_KR,
		  .has_target = true, .cmp = CMP_GE, .target = 0 },
		{ .name = "prognos_budget", .title = "Prognos budgetavvikelse", .unit = UNIT_KR },
		{ .name = "nojda", .title = "Andel nöjda", .unit = UNIT_PERCENT,
		  .has_target = true, .cmp = CMP_GE, .target = 50.5 },
	};

	return rows[k < FX_MANUALS ? k : 0];
}

/* A fresh copy each call, so a test may change it. */
static inline struct config
fixture_config(void)
{
	struct config cfg = {
		.file = "fixture.yaml",
		.timezone = "Europe/Stockholm",
		.nevents = 3,
		.events = { "call.offered", "call.booked", "case.new" },
		.ndims = 3,
		.dims = {
			{ .name = "channel", .nvalues = 4, .values = { "1177", "phone", "letter", "visit" } },
			{ .name = "party", .nvalues = 3, .values = { "patient", "relative", "provider" } },
			{ .name = "type", .nvalues = 2, .values = { "patientarende", "informationsarende" } },
		},
		.nindicators = sizeof(fx_indicators) / sizeof(fx_indicators[0]),
		.indicators = fx_indicators,
	};
	cfg.redis.prefix = "teleq:";
	cfg.redis.tag = "teleqd";
	return cfg;
}

#endif /* FIXTURE_CONFIG_H */
