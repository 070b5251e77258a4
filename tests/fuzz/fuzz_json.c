/*
 * fuzz_json.c — json_extract on one JSON-lines record.
 *
 * Input: the record itself (no terminator), extracting the case feed's
 * fields plus a few awkward names (an empty key, a non-ASCII key, a name
 * listed twice).
 *
 * Invariants: the result is 0, -EBADMSG or -EILSEQ, and success agrees with
 * a small recursive reference validator written from RFC 8259 and the
 * contract in parse.h (depth limit, no NUL, no \u0000, paired surrogates,
 * valid UTF-8); the result does not depend on which names are asked for
 * (nor their order) nor on whitespace around the object; on failure every
 * value is absent; on success the whole text is valid UTF-8 and every
 * value lies within the record or the len bytes of scratch, is valid UTF-8
 * without NUL, and is a string (between quotes when it points into the
 * record) or the raw text of a number, true or false.
 */
#include <errno.h>

#include "fuzz.h"
#include "parse.h"
#include "utf8.h"

#define NNAMES 9
static const char *const names[NNAMES] = {
	"case_id", "created", "source", "party", "type", "", "k\xc3\xb6", "source", "a\"b",
};
/* The same names in another order, to compare. */
static const char *const names_rev[NNAMES] = {
	"a\"b", "source", "k\xc3\xb6", "", "type", "party", "source", "created", "case_id",
};
static const int rev_of[NNAMES] = { 8, 7, 6, 5, 4, 3, 2, 1, 0 };

/* ------------------------------------------------ reference validator */

#define REF_MAX_DEPTH 64

struct ref {
	const unsigned char *s;
	size_t len, i;
};

static void ref_ws(struct ref *r)
{
	while (r->i < r->len && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' ||
	                         r->s[r->i] == '\r'))
		r->i++;
}

static int ref_hex4(struct ref *r)
{
	int v = 0;

	if (r->len - r->i < 4)
		return -1;
	for (int k = 0; k < 4; k++) {
		unsigned char c = r->s[r->i + (size_t)k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	r->i += 4;
	return v;
}

static bool ref_string(struct ref *r)
{
	size_t start;

	if (r->i >= r->len || r->s[r->i] != '"')
		return false;
	start = ++r->i;
	for (;;) {
		if (r->i >= r->len)
			return false;
		unsigned char c = r->s[r->i];
		if (c == '"')
			break;
		if (c < 0x20)
			return false;
		if (c != '\\') {
			r->i++;
			continue;
		}
		if (++r->i >= r->len)
			return false;
		c = r->s[r->i++];
		if (strchr("\"\\/bfnrt", c) && c != '\0')
			continue;
		if (c != 'u')
			return false;
		int hi = ref_hex4(r);
		if (hi <= 0 || (hi >= 0xDC00 && hi <= 0xDFFF))
			return false;
		if (hi >= 0xD800 && hi <= 0xDBFF) {
			if (r->len - r->i < 2 || r->s[r->i] != '\\' || r->s[r->i + 1] != 'u')
				return false;
			r->i += 2;
			int lo = ref_hex4(r);
			if (lo < 0xDC00 || lo > 0xDFFF)
				return false;
		}
	}
	if (!utf8_valid((const char *)r->s + start, r->i - start))
		return false;
	r->i++;
	return true;
}

static bool ref_digits(struct ref *r)
{
	size_t s = r->i;

	while (r->i < r->len && r->s[r->i] >= '0' && r->s[r->i] <= '9')
		r->i++;
	return r->i > s;
}

static bool ref_number(struct ref *r)
{
	if (r->i < r->len && r->s[r->i] == '-')
		r->i++;
	if (r->i < r->len && r->s[r->i] == '0')
		r->i++;
	else if (!ref_digits(r))
		return false;
	if (r->i < r->len && r->s[r->i] == '.') {
		r->i++;
		if (!ref_digits(r))
			return false;
	}
	if (r->i < r->len && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
		r->i++;
		if (r->i < r->len && (r->s[r->i] == '+' || r->s[r->i] == '-'))
			r->i++;
		if (!ref_digits(r))
			return false;
	}
	return true;
}

static bool ref_word(struct ref *r, const char *w)
{
	size_t n = strlen(w);

	if (r->len - r->i < n || memcmp(r->s + r->i, w, n) != 0)
		return false;
	r->i += n;
	return true;
}

static bool ref_value(struct ref *r, int depth);

/* An object or array whose opening bracket is at r->i; depth counts it. */
static bool ref_container(struct ref *r, int depth)
{
	bool obj = r->s[r->i] == '{';
	char close = obj ? '}' : ']';

	if (depth > REF_MAX_DEPTH)
		return false;
	r->i++;
	ref_ws(r);
	if (r->i < r->len && r->s[r->i] == close) {
		r->i++;
		return true;
	}
	for (;;) {
		ref_ws(r);
		if (obj) {
			if (!ref_string(r))
				return false;
			ref_ws(r);
			if (r->i >= r->len || r->s[r->i] != ':')
				return false;
			r->i++;
			ref_ws(r);
		}
		if (!ref_value(r, depth))
			return false;
		ref_ws(r);
		if (r->i >= r->len)
			return false;
		if (r->s[r->i] == ',') {
			r->i++;
			continue;
		}
		if (r->s[r->i] != close)
			return false;
		r->i++;
		return true;
	}
}

/* A value inside depth open containers. */
static bool ref_value(struct ref *r, int depth)
{
	if (r->i >= r->len)
		return false;
	switch (r->s[r->i]) {
	case '{': case '[':
		return ref_container(r, depth + 1);
	case '"':
		return ref_string(r);
	case 't':
		return ref_word(r, "true");
	case 'f':
		return ref_word(r, "false");
	case 'n':
		return ref_word(r, "null");
	default:
		return ref_number(r);
	}
}

static bool ref_valid(const char *s, size_t len)
{
	struct ref r = { (const unsigned char *)s, len, 0 };

	ref_ws(&r);
	if (r.i >= r.len || r.s[r.i] != '{' || !ref_container(&r, 1))
		return false;
	ref_ws(&r);
	return r.i == r.len;
}

/* ------------------------------------------------------------ harness */

static bool is_scalar_text(const char *p, size_t len)
{
	return (len == 4 && memcmp(p, "true", 4) == 0) || (len == 5 && memcmp(p, "false", 5) == 0) ||
	       (len > 0 && (p[0] == '-' || (p[0] >= '0' && p[0] <= '9')));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fieldv out[NNAMES], out2[NNAMES], none[1];
	char *s, *scratch, *scratch2, *pad, *scratch3;
	int r, r2, r0, r3;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	s = fuzz_dup(data, size);
	scratch = malloc(size ? size : 1);
	scratch2 = malloc(size ? size : 1);
	if (!scratch || !scratch2)
		abort();

	r = json_extract(s, size, names, NNAMES, scratch, out);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -EILSEQ);
	FUZZ_CHECK((r == 0) == ref_valid(s, size));
	/* Validation does not depend on what is extracted. */
	r0 = json_extract(s, size, NULL, 0, NULL, none);
	FUZZ_CHECK(r0 == r);
	r2 = json_extract(s, size, names_rev, NNAMES, scratch2, out2);
	FUZZ_CHECK(r2 == r);

	for (int k = 0; k < NNAMES; k++) {
		const struct fieldv *v = &out[k], *w = &out2[rev_of[k]];

		if (r < 0) {
			FUZZ_CHECK(v->p == NULL && v->len == 0);
			continue;
		}
		FUZZ_CHECK((v->p == NULL) == (w->p == NULL));
		if (!v->p)
			continue;
		FUZZ_CHECK(v->len == w->len && memcmp(v->p, w->p, v->len) == 0);
		FUZZ_CHECK(utf8_valid(v->p, v->len));
		FUZZ_CHECK(memchr(v->p, '\0', v->len) == NULL);
		if (fuzz_within(v->p, v->len, s, size)) {
			size_t off = (size_t)(v->p - s);
			bool quoted = off > 0 && off + v->len < size && s[off - 1] == '"' &&
			              s[off + v->len] == '"';
			FUZZ_CHECK(quoted || is_scalar_text(v->p, v->len));
		} else {
			/* Unescaped strings live in scratch, never past len bytes of it. */
			FUZZ_CHECK(fuzz_within(v->p, v->len, scratch, size));
		}
	}
	if (r == 0)
		FUZZ_CHECK(utf8_valid(s, size));

	/* Whitespace around the object changes nothing on success. */
	pad = malloc(size + 3);
	scratch3 = malloc(size + 3);
	if (!pad || !scratch3)
		abort();
	pad[0] = '\t';
	if (size)
		memcpy(pad + 1, s, size);
	pad[size + 1] = ' ';
	pad[size + 2] = '\r';
	r3 = json_extract(pad, size + 3, names, NNAMES, scratch3, out2);
	FUZZ_CHECK((r3 == 0) == (r == 0));
	if (r == 0)
		for (int k = 0; k < NNAMES; k++) {
			FUZZ_CHECK((out[k].p == NULL) == (out2[k].p == NULL));
			FUZZ_CHECK(out[k].len == out2[k].len);
			FUZZ_CHECK(!out[k].p || memcmp(out[k].p, out2[k].p, out[k].len) == 0);
		}
	free(scratch3);
	free(pad);
	free(scratch2);
	free(scratch);
	free(s);
	return 0;
}
