#!/bin/sh
# build.sh - build the example change repository of a small managed service
# provider (MSP) with two clients, acme and globex.
#
# Usage: sh examples/build.sh DIR
#
# Creates DIR (which must not exist or be empty) as a fresh git repository:
# the policy and standard-change catalog under .chg/, sixteen change
# requests under changes/CLIENT/, and three months of history in which
# people request, edit, approve, reject, implement and close them.  Every
# commit has a fixed author, committer and date, so the history is the same
# on every run.  Approval commits carry the Change-Digest that
# `chg digest` prints, so chg must be built first: the binary is $CHG, by
# default $CHG_BUILD_DIR/chg, by default ./build/chg.
#
# The final text of every file is in examples/repo/ (earlier revisions of
# edited change requests in examples/history/); the script only decides
# when each version is committed and by whom.  The planned lint findings
# are listed in examples/README.md.  `make demo` runs this script and
# chg-lint on the result.
#
# Prints nothing on success; exits non-zero on any failure.

set -eu

die() {
	printf 'build.sh: %s\n' "$*" >&2
	exit 1
}

[ $# -eq 1 ] || { echo 'usage: sh examples/build.sh DIR' >&2; exit 2; }
DIR=$1
here=$(cd "$(dirname "$0")" && pwd)
src=$here/repo
hist=$here/history
CHG=${CHG:-"${CHG_BUILD_DIR:-$(pwd)/build}/chg"}

[ -x "$CHG" ] || die "cannot run '$CHG': build chg first or set CHG_BUILD_DIR"
if [ -e "$DIR" ] || [ -h "$DIR" ]; then
	[ -d "$DIR" ] || die "'$DIR' exists and is not a directory"
	[ -z "$(ls -A "$DIR")" ] || die "'$DIR' exists and is not empty"
fi

# Nothing from the environment or the user's configuration may leak in.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
	GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_NAMESPACE GIT_CEILING_DIRECTORIES
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=/dev/null
export GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
git init -q -b main "$DIR"
git -C "$DIR" config user.name 'Example MSP change desk'
git -C "$DIR" config user.email changes@msp.example
git -C "$DIR" config commit.gpgsign false

# who PERSON: sets $name and $email.
who() {
	case $1 in
	jane)  name='Jane Doe'      email=jane@msp.example ;;   # service desk, requests changes
	bob)   name='Bob Ops'       email=bob@msp.example ;;    # engineer, owns and implements
	alice) name='Alice Example' email=alice@msp.example ;;  # CAB chair, emergency approver
	carol) name='Carol Nguyen'  email=carol@msp.example ;;  # CAB, networks
	erin)  name='Erin Walsh'    email=erin@msp.example ;;   # CAB, security
	dave)  name='Dave Miller'   email=dave@msp.example ;;   # service delivery manager
	*) die "unknown person '$1'" ;;
	esac
}

# commit PERSON DATE GIT-COMMIT-ARGS...: commits the whole work tree as
# PERSON (author and committer) at DATE.
commit() {
	who "$1"
	when=$2
	shift 2
	git -C "$DIR" add -A
	GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email GIT_AUTHOR_DATE=$when \
	GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email GIT_COMMITTER_DATE=$when \
		git -C "$DIR" commit -q --no-verify "$@"
}

# cr_write CLIENT/ID STATE [SOURCE]: writes changes/CLIENT/ID.yaml from
# SOURCE (default: its final text in examples/repo) with STATE and without
# the review.
cr_write() {
	file=$DIR/changes/$1.yaml
	mkdir -p "$(dirname "$file")"
	sed -e "s/^state: .*/state: $2/" -e '/^review:/,$d' \
		"${3:-$src/changes/$1.yaml}" >"$file"
}

# cr_final CLIENT/ID: writes the final text of changes/CLIENT/ID.yaml.
cr_final() {
	cp "$src/changes/$1.yaml" "$DIR/changes/$1.yaml"
}

# cr_state CLIENT/ID STATE: changes only the state of a change request.
cr_state() {
	file=$DIR/changes/$1.yaml
	sed "s/^state: .*/state: $2/" "$file" >"$file.new"
	mv "$file.new" "$file"
}

# decide PERSON DATE CLIENT/ID TRAILER VERB [REASON]: an empty commit by
# PERSON approving (TRAILER Approved-by) or rejecting (Rejected-by) the
# change request as it is in the work tree now, as `chg approve` and
# `chg reject` make them (unsigned here).
decide() {
	person=$1 date=$2 id=${3#*/} trailer=$4 verb=$5
	title=$(sed -n 's/^title: //p' "$DIR/changes/$3.yaml")
	digest=$("$CHG" -C "$DIR" digest "$id") || die "'$CHG digest $id' failed"
	printf '%s\n' "$digest" | grep -Eq '^sha256:[0-9a-f]{64}$' ||
		die "'$CHG digest $id' printed '$digest', not a digest"
	who "$person"
	trailers="Change-Request: $id
Change-Digest: $digest
$trailer: $name <$email>"
	if [ $# -ge 6 ]; then
		commit "$person" "$date" --allow-empty -m "$verb $id: $title" \
			-m "$6" -m "$trailers"
	else
		commit "$person" "$date" --allow-empty -m "$verb $id: $title" \
			-m "$trailers"
	fi
}

approve() { decide "$1" "$2" "$3" Approved-by Approve; }
reject() { decide "$1" "$2" "$3" Rejected-by Reject "$4"; }

# ---------------------------------------------------------------------------
# October: the repository is set up with the policy and the catalog.

cp -R "$src/.chg" "$DIR/.chg"
cp "$src/README.md" "$DIR/README.md"
commit dave 2026-10-20T09:00:00+02:00 \
	-m 'Set up the change repository for acme and globex' \
	-m 'Policy over the chg default with the CAB, managers and emergency
groups, the clients'"'"' time zones, maintenance windows, notice period and
year-end freeze, and the first two standard changes in the catalog.'

# CHG-0031 (globex, normal, medium): the November patch cycle, approved by
# the service delivery manager, implemented, reviewed and closed.
cr_write globex/CHG-0031 requested
commit jane 2026-10-26T10:15:00+01:00 \
	-m 'Request CHG-0031: November kernel patching of the globex application servers'
approve dave 2026-10-29T14:30:00+01:00 globex/CHG-0031
cr_state globex/CHG-0031 approved
commit jane 2026-10-29T15:00:00+01:00 -m 'CHG-0031: approved'

# CHG-0032 (acme, standard): a password reset from the catalog, done the
# same morning without an approval.
cr_write acme/CHG-0032 requested
commit jane 2026-11-03T08:40:00+01:00 \
	-m 'Request CHG-0032: Reset the AD password of acme user k.weber'
cr_state acme/CHG-0032 implementing
commit bob 2026-11-03T09:02:00+01:00 -m 'CHG-0032: implementing'
cr_state acme/CHG-0032 implemented
commit bob 2026-11-03T09:18:00+01:00 -m 'CHG-0032: implemented'
cr_final acme/CHG-0032
commit bob 2026-11-03T09:30:00+01:00 -m 'CHG-0032: closed' \
	-m 'User confirmed the login by phone at 09:24.'

# CHG-0033 (acme, normal): inbound RDP for a vendor, rejected by the CAB.
cr_write acme/CHG-0033 requested
commit jane 2026-11-05T11:00:00+01:00 \
	-m 'Request CHG-0033: Allow inbound RDP from the vendor network to ts-acme-01'

cr_state globex/CHG-0031 implementing
commit bob 2026-11-07T22:02:00+01:00 -m 'CHG-0031: implementing'
cr_state globex/CHG-0031 implemented
commit bob 2026-11-08T00:45:00+01:00 -m 'CHG-0031: implemented'

reject carol 2026-11-09T10:10:00+01:00 acme/CHG-0033 \
	'RDP must not be exposed to the internet, not even to one network.
The vendor gets access through the acme bastion host like everyone else.'
cr_state acme/CHG-0033 rejected
commit jane 2026-11-09T10:30:00+01:00 -m 'CHG-0033: rejected by the CAB'

# CHG-0034 (globex, normal, low): requested, then cancelled.
cr_write globex/CHG-0034 requested
commit jane 2026-11-09T14:00:00+01:00 \
	-m 'Request CHG-0034: Decommission the legacy FTP server ftp-globex-01'

cr_final globex/CHG-0031
commit bob 2026-11-10T09:30:00+01:00 -m 'CHG-0031: closed with its review'

# CHG-0035 (globex, normal, medium): requested by Erin, a CAB member, who
# then approves it herself.
cr_write globex/CHG-0035 requested
commit erin 2026-11-12T11:00:00+01:00 \
	-m 'Request CHG-0035: Enforce MFA for all globex VPN users'

# CHG-0036 (acme, normal, low): pgBackRest upgrade, prerequisite of the
# PostgreSQL upgrade CHG-0042.
cr_write acme/CHG-0036 requested
commit jane 2026-11-16T09:15:00+01:00 \
	-m 'Request CHG-0036: Upgrade pgBackRest to 2.54 on backup-acme-01'

cr_state globex/CHG-0034 cancelled
commit jane 2026-11-16T16:40:00+01:00 -m 'CHG-0034: cancelled' \
	-m 'Globex finance still uploads bank statements over FTP; the server
stays until that moves to SFTP.'

approve erin 2026-11-18T16:20:00+01:00 globex/CHG-0035
cr_state globex/CHG-0035 approved
commit erin 2026-11-18T16:25:00+01:00 -m 'CHG-0035: approved'

approve carol 2026-11-20T11:05:00+01:00 acme/CHG-0036
cr_state acme/CHG-0036 approved
commit jane 2026-11-20T11:30:00+01:00 -m 'CHG-0036: approved'

# CHG-0037 (globex, emergency, high): an actively exploited VPN flaw,
# approved by the emergency approver within half an hour and implemented
# that night.  The post-implementation review never gets written.
cr_write globex/CHG-0037 requested
commit bob 2026-11-30T22:10:00+01:00 \
	-m 'Request CHG-0037: Emergency patch of the exploited VPN gateway flaw on vpn-globex-01'
approve alice 2026-11-30T22:35:00+01:00 globex/CHG-0037
cr_state globex/CHG-0037 approved
commit bob 2026-11-30T22:38:00+01:00 -m 'CHG-0037: approved'
cr_state globex/CHG-0037 implementing
commit bob 2026-11-30T23:00:00+01:00 -m 'CHG-0037: implementing'
cr_state globex/CHG-0037 implemented
commit bob 2026-12-01T01:25:00+01:00 -m 'CHG-0037: implemented' \
	-m 'Firmware 7.2.11 running; no indicators of compromise found.'

# CHG-0038 (globex, normal, high): approved by two CAB members, then its
# rollback plan is edited, which makes both approvals stale.
cr_write globex/CHG-0038 requested "$hist/CHG-0038.1.yaml"
commit jane 2026-12-01T10:00:00+01:00 \
	-m 'Request CHG-0038: Replace the perimeter firewall rule base on fw-globex-01'

cr_state acme/CHG-0036 implementing
commit bob 2026-12-02T20:00:00+01:00 -m 'CHG-0036: implementing'
cr_state acme/CHG-0036 implemented
commit bob 2026-12-02T20:50:00+01:00 -m 'CHG-0036: implemented'
cr_final acme/CHG-0036
commit bob 2026-12-03T10:00:00+01:00 -m 'CHG-0036: closed with its review'

approve carol 2026-12-08T11:00:00+01:00 globex/CHG-0038
approve erin 2026-12-08T15:30:00+01:00 globex/CHG-0038
cr_state globex/CHG-0038 approved
commit jane 2026-12-08T16:00:00+01:00 -m 'CHG-0038: approved'

# CHG-0039 (acme, normal): a DNS migration declared medium risk although
# its own assessment scores 16, which is high.
cr_write acme/CHG-0039 requested
commit jane 2026-12-09T10:00:00+01:00 \
	-m 'Request CHG-0039: Move the acme.example DNS zone to the new DNS provider'

# CHG-0040 (acme, standard): a certificate renewal from the catalog.
cr_write acme/CHG-0040 requested
commit jane 2026-12-10T09:00:00+01:00 \
	-m 'Request CHG-0040: Renew the TLS certificate of www.acme.example on lb-acme-01'

cr_final globex/CHG-0038
commit bob 2026-12-10T09:45:00+01:00 -m 'CHG-0038: say how to roll back after the confirm'

# CHG-0041 (acme, normal): a draft that is not ready yet.
cr_write acme/CHG-0041 draft
commit bob 2026-12-11T11:00:00+01:00 \
	-m 'Draft CHG-0041: Copy the acme backups to immutable object storage'

# CHG-0042 (acme, normal, high): PostgreSQL upgrade on a production
# database server, drafted, completed after a rehearsal, approved by two
# CAB members.  Depends on CHG-0036.
cr_write acme/CHG-0042 draft "$hist/CHG-0042.1.yaml"
commit jane 2026-12-11T14:00:00+01:00 \
	-m 'Draft CHG-0042: Upgrade PostgreSQL 14 to 16 on db-prod-01'
cr_write acme/CHG-0042 requested
commit jane 2026-12-14T10:30:00+01:00 -m 'Request CHG-0042' \
	-m 'Test plan completed after the rehearsal on 10 December; notice sent
to acme finance and IT.'
approve alice 2026-12-16T17:00:00+01:00 acme/CHG-0042
approve carol 2026-12-17T10:20:00+01:00 acme/CHG-0042
cr_state acme/CHG-0042 approved
commit jane 2026-12-17T11:00:00+01:00 -m 'CHG-0042: approved'

# CHG-0043 to CHG-0046: four requests that break one scheduling rule each.
# CHG-0043 (acme): planned inside the year-end freeze.
cr_write acme/CHG-0043 requested
commit jane 2026-12-17T11:15:00+01:00 \
	-m 'Request CHG-0043: Upgrade the ERP terminal server ts-acme-01 to Windows Server 2025'

# CHG-0044 (globex): planned for a Saturday, outside globex's patch Tuesday.
cr_write globex/CHG-0044 requested
commit jane 2026-12-17T11:30:00+01:00 \
	-m 'Request CHG-0044: Add a second uplink to the globex core switch sw-globex-core'

# CHG-0046 (globex): a firewall rule planned during the rule base
# replacement CHG-0038, on the same firewall.
cr_write globex/CHG-0046 requested
commit jane 2026-12-17T14:00:00+01:00 \
	-m 'Request CHG-0046: Allow HTTPS from the new logistics partner to app-globex-01'

# CHG-0045 (acme): announced to acme 30 hours ahead, not 48.
cr_write acme/CHG-0045 requested
commit jane 2026-12-18T16:10:00+01:00 \
	-m 'Request CHG-0045: Grow the data volume of the acme web shop on web-acme-01'

cr_state acme/CHG-0040 implementing
commit bob 2026-12-20T11:02:00+01:00 -m 'CHG-0040: implementing'

# ---------------------------------------------------------------------------
# The work tree must now be exactly examples/repo.

for f in "$src/README.md" "$src"/.chg/*.yaml "$src"/.chg/catalog/*.yaml \
	"$src"/changes/*/*.yaml; do
	cmp -s "$f" "$DIR/${f#"$src"/}" || die "'${f#"$src"/}' does not match examples/repo"
done
[ "$(find "$DIR" -path "$DIR/.git" -prune -o -type f -print | wc -l)" -eq \
	"$(find "$src" -type f | wc -l)" ] || die "extra files in '$DIR'"
[ -z "$(git -C "$DIR" status --porcelain)" ] || die "uncommitted changes in '$DIR'"
