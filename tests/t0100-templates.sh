#!/bin/sh

test_description='the change request templates lint clean once their placeholders are filled in'

. "$(dirname "$0")"/lib-chg.sh

# fill TEMPLATE: replaces each <...> placeholder with a value of the right
# type for its field.
fill () {
	perl -pe '
		s/^(\s*start): <.*>/$1: 2026-12-05T22:00:00+01:00/;
		s/^(\s*end): <.*>/$1: 2026-12-05T23:00:00+01:00/;
		s/^(\s*(?:actual-start|actual-end|notice-sent)): <.*>/$1: 2026-12-01T09:00:00Z/;
		s/^(requested-by): <.*>/$1: Jane Doe <jane\@example.com>/;
		s/^(owner): <.*>/$1: Bob Ops <bob\@example.com>/;
		s/^(client): <.*>/$1: acme/;
		s/^(standard-template): <.*>/$1: password-reset/;
		s/^(incident): INC-<.*>/$1: INC-1234/;
		s/^(systems): \[.*\]/$1: [web-01, web-02]/;
		s/^(\s*notify): \[.*\]/$1: [ops\@example.com]/;
		s/^(\s*users): <.*>/$1: 10/;
		s/^(\s*scope): <.*>/$1: team/;
		s/^(\s*downtime): <.*>/$1: 5m/;
		s/^(\s*level): <.*>/$1: low/;
		s/^(\s*outcome): <.*>/$1: successful/;
		s/^(\s*[a-z-]+): <1 to 5.*>/$1: 1/;
		s/^(title): <.*>/$1: Replace the TLS certificate of web-01/;
		s/^(\s+)<.*>?$/$1Filled in./;
		s/^(\s+)[^<#]*>$/$1Filled in./;
	' "$1"
}

test_expect_success 'setup' '
	chg_repo repo &&
	mkdir -p repo/.chg/catalog &&
	cat >repo/.chg/catalog/password-reset.yaml <<-\EOF &&
	title: Reset a user password
	description: Reset a password at the user'"'"'s request.
	procedure: |
	  Verify the requester, reset, force a change at next login.
	EOF
	(cd repo && chg_commit "Jane Doe" jane@example.com "Set up")
'

for type in standard normal emergency
do
	test_expect_success "the $type template with placeholders does not lint" '
		cp "$CHG_SRC_DIR/templates/$type.yaml" repo/changes/CHG-0000.yaml &&
		chg_lint_status 1 -C repo &&
		grep "error:" actual
	'

	test_expect_success "the $type template filled in lints clean" '
		fill "$CHG_SRC_DIR/templates/$type.yaml" >repo/changes/CHG-0000.yaml &&
		! grep "<" repo/changes/CHG-0000.yaml | grep -v "^ *#" | grep -v "@example.com>" &&
		chg_lint_status 0 -C repo &&
		test_must_be_empty actual
	'
done

test_done
