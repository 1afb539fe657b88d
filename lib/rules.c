#include "rules.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "policy.h"
#include "banned.h"

/*
 * Every rule chg reports.  The checks of chg-lint come first, in the
 * order chg-lint(1) lists them; examples are fragments of a change request
 * unless a comment says otherwise ("# no FIELD": the field is absent).
 * The severity is the default one: the built-in policy's where the policy
 * decides (unknown-field), and the one a finding has when too few
 * approvals count for the approval verdicts.
 */
static const struct chg_rule_info registry[] = {
	{ "yaml-syntax", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 0,
	  "the file is not YAML that chg can read",
	  "The file is not YAML that chg can read: a syntax error (libyaml's "
	  "message, at its position), bytes that are not UTF-8, a NUL byte (a "
	  "binary file), an empty file, more than one document, nesting deeper "
	  "than 64 levels, more than a million nodes after alias expansion (an "
	  "alias bomb), an undefined alias, or a key that is a list or a map. "
	  "Nothing else is checked in that file.",
	  "title: [Upgrade] PostgreSQL 14 to 16\n",
	  "title: '[Upgrade] PostgreSQL 14 to 16'\n" },
	{ "duplicate-key", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 0,
	  "a key appears twice in one mapping",
	  "A key appears twice in one mapping.  YAML forbids it and tools "
	  "disagree on which value wins; chg keeps the first, reports the "
	  "second at its position, and names the line of the first.",
	  "state: requested\nstate: approved\n",
	  "state: approved\n" },
	{ "file-too-large", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 0,
	  "the file is larger than 1 MiB",
	  "The file is larger than 1 MiB (1048576 bytes).  A change request is "
	  "a short YAML file; the limit keeps a stray binary or generated file "
	  "from slowing the gate down.  The file is not read.",
	  "# a file of 1048577 bytes or more\n",
	  "# a file of at most 1048576 bytes\n" },
	{ "invalid-type", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 1,
	  "a field holds the wrong kind of value",
	  "The document is not a mapping, or a field holds the wrong kind of "
	  "value for the type the policy's fields give it: a single value where "
	  "a list or a map is expected, a list or a map where a single value "
	  "is expected, an int that is not a plain integer, a bool that is not "
	  "true or false.",
	  "systems: db-prod-01\n",
	  "systems: [db-prod-01]\n" },
	{ "unknown-field", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 1,
	  "a field the policy does not define",
	  "The change request has a field that the policy's fields do not "
	  "define, usually a typo; add the field to the policy if it is meant. "
	  "Its severity is the policy's changes.unknown-fields: error, warning, "
	  "or ignore (not reported).",
	  "rolback-tested: true\n",
	  "rollback-tested: true\n" },
	{ "required-field", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 1,
	  "a field the policy requires is missing",
	  "A field that the policy's fields require is missing or null (~, "
	  "null, or no value): one with required: always, or with required: "
	  "{when: CONDITION} while the condition holds, such as rollback-plan "
	  "for normal and emergency changes in the built-in policy.  The "
	  "finding is placed at the mapping that lacks the field.",
	  "type: normal\n# no rollback-plan\n",
	  "type: normal\nrollback-plan: |\n  Restore the pre-upgrade snapshot.\n" },
	{ "invalid-value", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 1,
	  "a value is of the right kind but not allowed",
	  "A value is of the right kind but not allowed: not one of an enum's "
	  "values, outside an int's min and max, empty text, not an identity "
	  "'Name <email>', not a duration, a list with fewer than min-items or "
	  "more than max-items items, a string over max-length bytes, a client "
	  "that is not one of the policy's clients, a change that does not "
	  "meet the constraints of its standard-change catalog entry, a "
	  "malformed approval commit, a waiver of a rule that cannot be "
	  "waived, or a regular expression of the policy that hit its match "
	  "limit on the value.",
	  "impact: {users: 40, scope: everyone}\n",
	  "impact: {users: 40, scope: team}\n" },
	{ "invalid-datetime", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 1,
	  "a date or date-time is malformed or impossible",
	  "A date (YYYY-MM-DD) or date-time (RFC 3339 with an offset, such as "
	  "2026-12-05T22:00:00Z or 2026-12-05T23:00:00+01:00) is malformed or "
	  "impossible: 2026-02-30, 24:30, a date-time without an offset.",
	  "window: {start: 2026-12-05T22:00, end: 2026-12-06T02:00:00Z}\n",
	  "window: {start: 2026-12-05T22:00:00Z, end: 2026-12-06T02:00:00Z}\n" },
	{ "pattern-mismatch", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 1,
	  "a string does not match the pattern the policy gives it",
	  "A string does not match the pattern (a PCRE2 regular expression) "
	  "that the policy's fields give it, or the id does not match "
	  "changes.id-pattern.",
	  "incident: INC42\n",
	  "incident: INC-42\n" },
	{ "id-mismatch", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 0,
	  "the id is not the file name",
	  "The id is not the file name without its extension, and the policy's "
	  "changes.filename-matches-id asks that it be, so that a change "
	  "request can be found by its id.",
	  "# changes/CHG-0042.yaml\nid: CHG-0043\n",
	  "# changes/CHG-0042.yaml\nid: CHG-0042\n" },
	{ "duplicate-id", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 0,
	  "two change requests have the same id",
	  "Two change requests have the same id.  Ids must be unique across "
	  "the repository: approvals, dependencies and people name changes by "
	  "their id.",
	  "# changes/CHG-0042.yaml\nid: CHG-0042\n"
	  "# changes/acme/CHG-0042.yaml, another file\nid: CHG-0042\n",
	  "# changes/CHG-0042.yaml\nid: CHG-0042\n"
	  "# changes/acme/CHG-0043.yaml, another file\nid: CHG-0043\n" },
	{ "window-order", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 1,
	  "window.end is not after window.start",
	  "window.end is not after window.start: the change would be over "
	  "before it began, usually a wrong date, hour or offset.",
	  "window: {start: 2026-12-06T02:00:00Z, end: 2026-12-05T22:00:00Z}\n",
	  "window: {start: 2026-12-05T22:00:00Z, end: 2026-12-06T02:00:00Z}\n" },
	{ "risk-understated", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 1,
	  "the declared risk level is below the assessed risk",
	  "The declared risk.level is below the assessed risk: a requester may "
	  "not understate risk.",
	  NULL, NULL },
	{ "invalid-transition", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 0,
	  "a state change the lifecycle does not allow",
	  "The state changed in a way lifecycle.transitions does not allow: "
	  "compared with the same file at HEAD (for the working tree and the "
	  "index) or in the first parent (with --rev).  A step skipped, a "
	  "final state reopened, or an approved change moved back to requested "
	  "are all refused.",
	  "# at HEAD: state: requested\nstate: closed\n",
	  "# at HEAD: state: requested\nstate: approved\n" },
	{ "unknown-dependency", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 1,
	  "depends-on names no change request",
	  "An entry of depends-on names no change request of the repository.",
	  "depends-on: [CHG-9999]\n# no change request has id CHG-9999\n",
	  "depends-on: [CHG-0040]\n# changes/CHG-0040.yaml has id CHG-0040\n" },
	{ "dependency-cycle", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 1,
	  "the dependencies of change requests form a cycle",
	  "The depends-on entries of change requests form a cycle, so none of "
	  "them can be done first.  The message shows the cycle.",
	  "# changes/CHG-0041.yaml\ndepends-on: [CHG-0042]\n"
	  "# changes/CHG-0042.yaml, another file\ndepends-on: [CHG-0041]\n",
	  "# changes/CHG-0041.yaml\ndepends-on: []\n"
	  "# changes/CHG-0042.yaml, another file\ndepends-on: [CHG-0041]\n" },
	{ "dependency-order", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 1,
	  "a dependency's window ends after this change's window starts",
	  "A dependency's window ends after this change's window starts: a "
	  "change that another depends on must be done first.",
	  "# changes/CHG-0041.yaml\n"
	  "window: {start: 2026-12-05T22:00:00Z, end: 2026-12-06T02:00:00Z}\n"
	  "# changes/CHG-0042.yaml, another file\n"
	  "depends-on: [CHG-0041]\n"
	  "window: {start: 2026-12-06T01:00:00Z, end: 2026-12-06T03:00:00Z}\n",
	  "# changes/CHG-0041.yaml\n"
	  "window: {start: 2026-12-05T22:00:00Z, end: 2026-12-06T02:00:00Z}\n"
	  "# changes/CHG-0042.yaml, another file\n"
	  "depends-on: [CHG-0041]\n"
	  "window: {start: 2026-12-06T02:00:00Z, end: 2026-12-06T04:00:00Z}\n" },
	{ "unknown-template", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 1,
	  "standard-template names no catalog entry",
	  "standard-template names no entry of the standard-change catalog, "
	  "the files .chg/catalog/NAME.yaml.",
	  "type: standard\nstandard-template: pasword-reset\n",
	  "type: standard\nstandard-template: password-reset\n"
	  "# .chg/catalog/password-reset.yaml exists\n" },
	{ "review-overdue", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 1,
	  "the post-implementation review is overdue",
	  "The change is in a state of lifecycle.implemented (it has been "
	  "carried out), has no review, and the policy's schedule.review-within "
	  "deadline for its type, counted from window.end, has passed at the "
	  "time chg-lint runs (--now).",
	  "type: emergency\nstate: implemented\n"
	  "window: {start: 2026-12-01T22:00:00Z, end: 2026-12-01T23:00:00Z}\n"
	  "# no review, linted on 2026-12-20\n",
	  "type: emergency\nstate: implemented\n"
	  "window: {start: 2026-12-01T22:00:00Z, end: 2026-12-01T23:00:00Z}\n"
	  "review: {outcome: successful}\n" },
	{ "missing-approval", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 0,
	  "fewer approvals count than the approval rules require",
	  "The change is in a state that needs approval (lifecycle.approved) "
	  "and fewer approvals count than the first matching rule of "
	  "approvals.rules requires.  The message lists each approval and why "
	  "it did or did not count; each one that did not is also reported "
	  "under its own rule id.",
	  "# changes/CHG-0042.yaml\nid: CHG-0042\nstate: approved\n"
	  "# no approval commit for CHG-0042 in the history\n",
	  "# changes/CHG-0042.yaml\nid: CHG-0042\nstate: approved\n"
	  "# the history has an approval commit whose message ends in:\n"
	  "#   Change-Request: CHG-0042\n"
	  "#   Change-Digest: (chg digest CHG-0042)\n"
	  "#   Approved-by: Dave Example <dave@example.com>\n"
	  "# by dave@example.com, a member of a group the rule allows\n" },
	{ "signer-mismatch", CHG_RULE_CHECK, CHG_SEV_ERROR, "error when too few approvals count, else warning", 0,
	  "the approval is not made by the person it names",
	  "Nobody approves in another person's name: when the policy requires "
	  "signed approvals, the signer's principals do not include the email "
	  "of the Approved-by trailer; and in any case the approval commit's "
	  "author and committer must be the person Approved-by names (a "
	  "cherry-pick or rebase by someone else does not carry an approval).",
	  "# approval commit by Bob Ops <bob@example.com>:\n"
	  "# Approved-by: Alice Example <alice@example.com>\n",
	  "# approval commit by Alice Example <alice@example.com>:\n"
	  "# Approved-by: Alice Example <alice@example.com>\n" },
	{ "stale-approval", CHG_RULE_CHECK, CHG_SEV_ERROR, "error when too few approvals count, else note", 0,
	  "the approval is for content that changed since",
	  "The approval's Change-Digest is not the change's digest at the "
	  "evaluated revision: the content it covers changed after it was "
	  "approved, so the approval is for content that is no longer there. "
	  "'chg digest ID' prints the digest a new approval must carry.",
	  "# the approval commit carries the digest of an earlier version:\n"
	  "Change-Digest: sha256:38b2cecfc925...\n"
	  "# chg digest CHG-0042 now prints sha256:8a821f6ded3d...\n",
	  "# the approval commit carries the current digest:\n"
	  "Change-Digest: sha256:8a821f6ded3d...\n"
	  "# chg digest CHG-0042 prints sha256:8a821f6ded3d...\n" },
	{ "self-approval", CHG_RULE_CHECK, CHG_SEV_ERROR, "error when too few approvals count, else warning", 0,
	  "the approver requested or edited the change",
	  "The approver requested the change (requested-by) or authored, "
	  "committed or signed a commit that changed its covered content, and "
	  "the policy requires separation of duties "
	  "(approvals.separation-of-duties).  When requested-by is not an "
	  "identity 'Name <email>', no approval counts.  With "
	  "approvals.require-signed-edits only verified signers of edits are "
	  "excluded.",
	  "requested-by: Jane Doe <jane@example.com>\n"
	  "# approval commit by Jane Doe <jane@example.com>:\n"
	  "# Approved-by: Jane Doe <jane@example.com>\n",
	  "requested-by: Jane Doe <jane@example.com>\n"
	  "# approval commit by Dave Example <dave@example.com>:\n"
	  "# Approved-by: Dave Example <dave@example.com>\n" },
	{ "approver-not-allowed", CHG_RULE_CHECK, CHG_SEV_ERROR, "error when too few approvals count, else warning", 0,
	  "the approver is in none of the groups the rule allows",
	  "The approver is in none of the groups that the first matching rule "
	  "of approvals.rules allows (its from:, with members listed in "
	  "approvals.groups).",
	  "# .chg/policy.yaml: approvals: {groups: {managers: [dave@example.com]}}\n"
	  "# approval commit by Erin Example <erin@example.com>:\n"
	  "# Approved-by: Erin Example <erin@example.com>\n",
	  "# .chg/policy.yaml: approvals: {groups: {managers: [dave@example.com]}}\n"
	  "# approval commit by Dave Example <dave@example.com>:\n"
	  "# Approved-by: Dave Example <dave@example.com>\n" },
	{ "unsigned-approval", CHG_RULE_CHECK, CHG_SEV_ERROR, "error when too few approvals count, else warning", 0,
	  "the approval commit is not signed",
	  "The policy requires signed approvals (approvals.require-signature) "
	  "and the approval commit is not signed.",
	  "# git commit --allow-empty -m 'Approve CHG-0042' ...\n",
	  "# git commit -S --allow-empty -m 'Approve CHG-0042' ...\n" },
	{ "bad-signature", CHG_RULE_CHECK, CHG_SEV_ERROR, "error when too few approvals count, else warning", 0,
	  "the approval commit's signature does not verify",
	  "The policy requires signed approvals (approvals.require-signature) "
	  "and the approval commit's signature does not verify, is neither an "
	  "SSH nor an OpenPGP signature, or could not be verified.",
	  "# an approval commit whose content was changed after it was signed\n",
	  "# git commit -S --allow-empty -m 'Approve CHG-0042' ...\n"
	  "# signed by a key that .chg/allowed_signers or .chg/keys.asc trusts\n" },
	{ "unknown-signer", CHG_RULE_CHECK, CHG_SEV_ERROR, "error when too few approvals count, else warning", 0,
	  "the approval is signed with a key the trust files do not hold",
	  "The policy requires signed approvals and the approval commit is "
	  "signed with a key that .chg/allowed_signers (SSH) or .chg/keys.asc "
	  "(OpenPGP) does not hold as they were in the commit's first parent, "
	  "or as they were where the commit entered the protected chain (the "
	  "first commit of the first-parent chain that contains it): a commit "
	  "cannot trust the key it adds, and a key removed before the "
	  "approval was merged does not count.  Validity (valid-after, "
	  "valid-before, OpenPGP expiry) is judged at the commit's date; a "
	  "revoked key counts for nothing.",
	  "# .chg/allowed_signers, before the approval commit:\n"
	  "#   alice@example.com ssh-ed25519 AAAA...alice\n"
	  "# approval commit signed with Erin's key\n",
	  "# .chg/allowed_signers, before the approval commit:\n"
	  "#   alice@example.com ssh-ed25519 AAAA...alice\n"
	  "# approval commit signed with Alice's key\n" },
	{ "unsigned-edit", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 1,
	  "an edit of covered content has no verified signature",
	  "The policy requires signed edits (approvals.require-signed-edits) "
	  "and a commit that changed the covered content of the change "
	  "request has no signature that verifies against the trust files: "
	  "who made it cannot be told, so separation of duties cannot keep "
	  "its maker from approving.  The message names the commit.  Under "
	  "this rule only the verified signers of edits are kept from "
	  "approving, not their author and committer fields.",
	  "# approvals: {require-signed-edits: true}\n"
	  "# git commit -m 'CHG-0042: test the rollback' (not signed)\n",
	  "# approvals: {require-signed-edits: true}\n"
	  "# git commit -S -m 'CHG-0042: test the rollback'\n"
	  "# signed with a key that .chg/allowed_signers trusts\n" },
	{ "trust-change-unapproved", CHG_RULE_CHECK, CHG_SEV_ERROR, "error; a note names the root of trust", 0,
	  "a change of the trust files lacks its approvals",
	  "A commit changed the trust files (.chg/policy.yaml, "
	  ".chg/allowed_signers, .chg/keys.asc, .chg/revoked_keys, anything "
	  "under .chg/catalog/) "
	  "and fewer approvals count than approvals.trust asks in the policy "
	  "before it, so a commit cannot lower the quorum it is judged by.  An "
	  "approval is a commit whose trailers are Change-Request: trust, "
	  "Change-Digest: the trust digest after the change (the message "
	  "gives it; it is the SHA-256 of 'git ls-tree -r -z REV -- "
	  ".chg/allowed_signers .chg/catalog .chg/keys.asc .chg/policy.yaml "
	  ".chg/revoked_keys') "
	  "and Approved-by; it is signed with a key of the trust files before "
	  "the change, and its approver neither made nor signed the change.  "
	  "Until the quorum counts, every signature is verified against the "
	  "last approved trust files, so a key the change adds counts for "
	  "nothing.  The commit that introduced .chg/ is the root of trust.",
	  "# a commit adds a key to .chg/allowed_signers\n"
	  "# no approval commit names Change-Request: trust and its digest\n",
	  "# a commit adds a key to .chg/allowed_signers\n"
	  "# two members of cab approve it, signed with keys trusted before it:\n"
	  "#   Change-Request: trust\n"
	  "#   Change-Digest: (the digest the finding names)\n" },
	{ "unused-waiver", CHG_RULE_CHECK, CHG_SEV_WARNING, NULL, 1,
	  "a waiver waives nothing",
	  "A waiver (waivers: [{rule: ID, reason: TEXT}]) waives nothing: its "
	  "rule has no finding in this change request, or an earlier waiver "
	  "of the change already names it.  Remove it, so that stale waivers "
	  "do not pile up.",
	  "window: {start: 2026-12-05T22:00:00Z, end: 2026-12-06T02:00:00Z}\n"
	  "waivers:\n"
	  "- {rule: window-order, reason: the vendor's window spans midnight}\n",
	  "window: {start: 2026-12-05T22:00:00Z, end: 2026-12-06T02:00:00Z}\n"
	  "# no waivers\n" },
	{ "waiver-not-counted", CHG_RULE_CHECK, CHG_SEV_NOTE, NULL, 1,
	  "a waiver does not count yet",
	  "A waiver does not count yet, so the findings it names stay: a "
	  "waiver counts only once at least one approval of the change counts "
	  "and the quorum the approval rules require holds.",
	  "state: requested\nwaivers:\n"
	  "- {rule: window-order, reason: the vendor's window spans midnight}\n"
	  "# no approval counts yet\n",
	  "state: approved\nwaivers:\n"
	  "- {rule: window-order, reason: the vendor's window spans midnight}\n"
	  "# the approvals the policy requires count\n" },
	{ "invalid-policy", CHG_RULE_CHECK, CHG_SEV_ERROR, NULL, 0,
	  "the policy or a catalog entry is invalid",
	  "The policy (.chg/policy.yaml, a --policy file, or the built-in "
	  "policy it is merged with) or a standard-change catalog entry is "
	  "invalid: an unknown key, a wrong type, a bad regular expression or "
	  "condition, a state, level or group that is not defined.  chg-lint "
	  "checks the policy before anything else and exits 3; "
	  "'chg policy check' reports the same findings.",
	  "# .chg/policy.yaml\nchanges: {id-pattern: '^CHG-[0-9'}\n",
	  "# .chg/policy.yaml\nchanges: {id-pattern: '^CHG-[0-9]{4,}$'}\n" },
	/* the schedule (DESIGN section 8) */
	{ "blackout-conflict", CHG_RULE_SCHEDULE, CHG_SEV_ERROR,
	  "the blackout's severity (error unless it says otherwise); a note for an emergency change the blackout allows",
	  1,
	  "the window intersects a blackout that does not allow the change's type",
	  "The change's window intersects a blackout of the policy's "
	  "schedule.blackouts (a freeze such as the year end) whose allow: "
	  "does not name the change's type, and whose when: condition, if "
	  "any, holds for the change.  Blackouts given as dates are whole "
	  "local days in the policy's (or the client's) time zone, the end "
	  "included.  An emergency change inside a freeze that allows "
	  "emergencies needs its emergency approval as usual and is reported "
	  "as a note.",
	  "# schedule: {blackouts: [{name: year-end freeze, start: 2026-12-20, end: 2027-01-04}]}\n"
	  "type: normal\n"
	  "window: {start: 2026-12-22T22:00:00Z, end: 2026-12-22T23:00:00Z}\n",
	  "# schedule: {blackouts: [{name: year-end freeze, start: 2026-12-20, end: 2027-01-04}]}\n"
	  "type: normal\n"
	  "window: {start: 2026-12-12T22:00:00Z, end: 2026-12-12T23:00:00Z}\n" },
	{ "outside-maintenance-window", CHG_RULE_SCHEDULE, CHG_SEV_ERROR, NULL, 1,
	  "the window is not inside a maintenance window of its client",
	  "The change's window does not lie inside one occurrence of a "
	  "maintenance window of its client (schedule.maintenance-windows: "
	  "weekly ranges such as 'Sat 22:00-Sun 04:00' or RFC 5545 RRULE "
	  "series, in the client's time zone).  Windows are compared as UTC "
	  "instants over half-open intervals, and their length follows "
	  "daylight-saving changes: 'Sat 22:00-Sun 04:00' in Europe/Berlin "
	  "lasts 5 hours on the March weekend and 7 on the October one.  A "
	  "change without a client, or whose client has no windows, is not "
	  "checked.",
	  "# schedule: {maintenance-windows: {acme: ['Sat 22:00-Sun 04:00']}}\n"
	  "client: acme\n"
	  "window: {start: 2026-12-09T13:00:00Z, end: 2026-12-09T14:00:00Z}\n",
	  "# schedule: {maintenance-windows: {acme: ['Sat 22:00-Sun 04:00']}}\n"
	  "client: acme\n"
	  "window: {start: 2026-12-05T22:00:00Z, end: 2026-12-05T23:00:00Z}\n" },
	{ "insufficient-notice", CHG_RULE_SCHEDULE, CHG_SEV_ERROR, NULL, 1,
	  "the notice before the window is shorter than the policy's",
	  "A normal change gave less notice than the policy's schedule.notice "
	  "for its type: the time from communication.notice-sent to "
	  "window.start is shorter than the policy asks, or "
	  "communication.notice-sent is missing.",
	  "# schedule: {notice: {normal: 48h}}\n"
	  "type: normal\n"
	  "communication: {notice-sent: 2026-12-05T09:00:00Z}\n"
	  "window: {start: 2026-12-05T22:00:00Z, end: 2026-12-05T23:00:00Z}\n",
	  "# schedule: {notice: {normal: 48h}}\n"
	  "type: normal\n"
	  "communication: {notice-sent: 2026-12-02T09:00:00Z}\n"
	  "window: {start: 2026-12-05T22:00:00Z, end: 2026-12-05T23:00:00Z}\n" },
	{ "window-conflict", CHG_RULE_SCHEDULE, CHG_SEV_ERROR, NULL, 1,
	  "two changes of one system have overlapping windows",
	  "Two change requests that name the same system have windows that "
	  "overlap (half-open intervals: back-to-back windows do not), and "
	  "neither is over: changes in a terminal state of "
	  "lifecycle.transitions (closed, rejected, cancelled) or in an "
	  "implemented state from which only terminal states follow "
	  "(implemented) take no part.  Both are reported, each naming the "
	  "other.  The severity is the policy's "
	  "schedule.conflicts.same-system (off in the built-in policy).",
	  "# changes/CHG-0041.yaml\nsystems: [db-prod-01]\n"
	  "window: {start: 2026-12-05T22:00:00Z, end: 2026-12-06T02:00:00Z}\n"
	  "# changes/CHG-0042.yaml, another file\nsystems: [db-prod-01]\n"
	  "window: {start: 2026-12-06T01:00:00Z, end: 2026-12-06T03:00:00Z}\n",
	  "# changes/CHG-0041.yaml\nsystems: [db-prod-01]\n"
	  "window: {start: 2026-12-05T22:00:00Z, end: 2026-12-06T02:00:00Z}\n"
	  "# changes/CHG-0042.yaml, another file\nsystems: [db-prod-01]\n"
	  "window: {start: 2026-12-06T02:00:00Z, end: 2026-12-06T03:00:00Z}\n" },
	/* history, as chg audit --verify judges it */
	{ "missing-review", CHG_RULE_AUDIT, CHG_SEV_ERROR, NULL, 1,
	  "an implemented or closed change has no post-implementation review",
	  "A normal or emergency change was closed without a "
	  "post-implementation review, or was implemented and its review is "
	  "past due (schedule.review-within, counted from window.end).  The "
	  "built-in policy has a rule of the same id for closed changes; chg "
	  "audit --verify also reports it from history, naming the commit.",
	  "type: normal\nstate: closed\n# no review\n",
	  "type: normal\nstate: closed\nreview: {outcome: successful}\n" },
	{ "implemented-outside-window", CHG_RULE_AUDIT, CHG_SEV_ERROR, NULL, 1,
	  "the change was implemented outside its window",
	  "The post-implementation review records when the change was carried "
	  "out (review.actual-start and review.actual-end), and that time is "
	  "not inside the change's window: the change was made when it was "
	  "not approved to be.  chg audit --verify reports it from history, "
	  "naming the commit that recorded the review.",
	  "window: {start: 2026-12-05T22:00:00Z, end: 2026-12-05T23:00:00Z}\n"
	  "review: {actual-start: 2026-12-06T08:00:00Z, actual-end: 2026-12-06T09:00:00Z}\n",
	  "window: {start: 2026-12-05T22:00:00Z, end: 2026-12-05T23:00:00Z}\n"
	  "review: {actual-start: 2026-12-05T22:10:00Z, actual-end: 2026-12-05T22:50:00Z}\n" },
};

#define NRULES (sizeof(registry) / sizeof(*registry))

size_t chg_rule_count(void)
{
	return NRULES;
}

const struct chg_rule_info *chg_rule_at(size_t i)
{
	return i < NRULES ? &registry[i] : NULL;
}

const struct chg_rule_info *chg_rule_lookup(const char *id)
{
	size_t i;

	for (i = 0; id && i < NRULES; i++)
		if (!strcmp(registry[i].id, id))
			return &registry[i];
	return NULL;
}

const char *chg_rule_kind_name(enum chg_rule_kind kind)
{
	switch (kind) {
	case CHG_RULE_CHECK: return "check";
	case CHG_RULE_SCHEDULE: return "schedule";
	case CHG_RULE_AUDIT: return "audit";
	case CHG_RULE_POLICY: return "policy";
	}
	return "check";
}

int chg_rules_waivable(const struct chg_policy *policy, const char *id)
{
	const struct chg_rule_info *r = chg_rule_lookup(id);
	size_t i;

	if (r && !r->waivable)
		return 0;
	for (i = 0; policy && policy->not_waivable && policy->not_waivable[i]; i++)
		if (!strcmp(policy->not_waivable[i], id))
			return 0;
	return 1;
}

/* ---- the run-time set ---- */

int chg_rules_init(struct chg_rules *rules)
{
	memset(rules, 0, sizeof(*rules));
	rules->items = calloc(NRULES, sizeof(*rules->items));
	if (!rules->items)
		return CHG_ENOMEM;
	memcpy(rules->items, registry, sizeof(registry));
	rules->n = rules->alloc = NRULES;
	return 0;
}

void chg_rules_release(struct chg_rules *rules)
{
	size_t i;

	if (!rules)
		return;
	for (i = 0; i < rules->nowned; i++)
		free(rules->owned[i]);
	free(rules->owned);
	free(rules->items);
	memset(rules, 0, sizeof(*rules));
}

/* Keeps `s` (allocated, may be NULL) for the set; returns it or NULL. */
static const char *own(struct chg_rules *rules, char *s)
{
	char **grown;

	if (!s)
		return NULL;
	if (rules->nowned == rules->allocowned) {
		size_t alloc = rules->allocowned ? rules->allocowned * 2 : 16;
		grown = realloc(rules->owned, alloc * sizeof(*grown));
		if (!grown) {
			free(s);
			return NULL;
		}
		rules->owned = grown;
		rules->allocowned = alloc;
	}
	rules->owned[rules->nowned++] = s;
	return s;
}

/* The summary of policy rule `r`: its message, or what a finding says. */
static char *policy_summary(const struct chg_rule *r)
{
	struct chg_buf b = CHG_BUF_INIT;

	if (r->message)
		chg_buf_puts(&b, r->message);
	else
		chg_buf_printf(&b, "FIELD %s rule %s",
			       r->nrequire ? "does not meet" : "is forbidden by",
			       r->id);
	return chg_buf_detach(&b);
}

/* The help of policy rule `r`: its description, then where it is from. */
static char *policy_help(const struct chg_policy *policy,
			 const struct chg_rule *r, const char *summary)
{
	const struct chg_node *desc = chg_node_get(r->node, "description");
	struct chg_buf b = CHG_BUF_INIT;
	const char *file = r->node && r->node->file ? r->node->file : policy->path;

	if (chg_node_str(desc) && desc->len)
		chg_buf_printf(&b, "%s  ", desc->value);
	chg_buf_printf(&b, "A rule of the policy (%s, rules:): %s.",
		       file ? file : CHG_POLICY_BUILTIN, summary);
	return chg_buf_detach(&b);
}

static int add_policy_rule(struct chg_rules *rules,
			   const struct chg_policy *policy,
			   const struct chg_rule *r)
{
	struct chg_rule_info info, *slot = NULL;
	size_t i;

	memset(&info, 0, sizeof(info));
	info.kind = CHG_RULE_POLICY;
	info.severity = r->severity;
	info.waivable = chg_rules_waivable(policy, r->id);
	if (!(info.id = own(rules, strdup(r->id))) ||
	    !(info.summary = own(rules, policy_summary(r))) ||
	    !(info.help = own(rules, policy_help(policy, r, info.summary))))
		return CHG_ENOMEM;
	for (i = 0; i < rules->n && !slot; i++)
		if (!strcmp(rules->items[i].id, r->id))
			slot = &rules->items[i];
	if (!slot) {
		if (rules->n == rules->alloc) {
			size_t alloc = rules->alloc ? rules->alloc * 2 : 16;
			struct chg_rule_info *grown =
				realloc(rules->items, alloc * sizeof(*grown));
			if (!grown)
				return CHG_ENOMEM;
			rules->items = grown;
			rules->alloc = alloc;
		}
		slot = &rules->items[rules->n++];
	}
	*slot = info;
	return 0;
}

int chg_rules_add_policy(struct chg_rules *rules,
			 const struct chg_policy *policy)
{
	size_t i;
	int error = 0;

	for (i = 0; policy && i < policy->nrules && !error; i++)
		error = add_policy_rule(rules, policy, &policy->rules[i]);
	return error;
}

const struct chg_rule_info *chg_rules_find(const struct chg_rules *rules,
					   const char *id)
{
	size_t i;

	for (i = 0; id && i < rules->n; i++)
		if (!strcmp(rules->items[i].id, id))
			return &rules->items[i];
	return NULL;
}
