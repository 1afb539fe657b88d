#!/bin/sh
# gen-repo.sh - generate a synthetic change repository for benchmarks.
#
# Usage: sh bench/gen-repo.sh DIR [COMMITS [CR_COMMITS [CRS [SEED]]]]
#
# Creates DIR (which must not exist) as a git repository whose main branch
# has COMMITS commits (default 100000), of which CR_COMMITS (default 10000)
# are about change requests: CRS of them (default 2000) create one, and the
# others edit a change request's covered content, move its state along the
# lifecycle (closing it with a review), move its file to another client's
# directory, or approve it with an empty commit carrying the trailers of
# DESIGN section 5 and the digest of the change request as it is then (so
# that approvals by the CAB count, and later edits make them stale).  The
# other commits each change one of 1000 source files under src/.  One
# commit in 500 is a merge of a two-commit side branch of source changes.
#
# Every commit has a fixed author and date (from 2025-01-01, five minutes
# apart) and SEED (default 1) seeds the choices, so the repository is the
# same on every run with the same Perl.  The stream is written by Perl
# (Digest::SHA computes the digests) into git fast-import, which is fast:
# 100000 commits take seconds.
#
# Prints a one-line summary; exits non-zero on failure.

set -eu

[ $# -ge 1 ] && [ $# -le 5 ] || {
	echo 'usage: sh bench/gen-repo.sh DIR [COMMITS [CR_COMMITS [CRS [SEED]]]]' >&2
	exit 2
}
DIR=$1
COMMITS=${2:-100000}
CR_COMMITS=${3:-10000}
CRS=${4:-2000}
SEED=${5:-1}

for n in "$COMMITS" "$CR_COMMITS" "$CRS" "$SEED"; do
	case $n in
	''|*[!0-9]*) echo "gen-repo.sh: '$n' is not a number" >&2; exit 2 ;;
	esac
done
[ "$CRS" -le "$CR_COMMITS" ] && [ "$CR_COMMITS" -lt "$COMMITS" ] || {
	echo 'gen-repo.sh: need CRS <= CR_COMMITS < COMMITS' >&2
	exit 2
}
[ ! -e "$DIR" ] || { echo "gen-repo.sh: '$DIR' exists" >&2; exit 2; }

unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
	GIT_ALTERNATE_OBJECT_DIRECTORIES
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=/dev/null
export GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL

git init -q -b main "$DIR"
perl -e 'use Digest::SHA; 1' || {
	echo 'gen-repo.sh: Perl with Digest::SHA is needed' >&2
	exit 1
}

perl - "$COMMITS" "$CR_COMMITS" "$CRS" "$SEED" <<'PERL' |
use strict;
use warnings;
use Digest::SHA qw(sha256_hex);

my ($M, $K, $N, $seed) = @ARGV;
srand($seed);
binmode STDOUT;

my @staff = (['Jane Doe', 'jane@example.com'], ['Bob Ops', 'bob@example.com'],
	     ['Frank Dev', 'frank@example.com'], ['Grace Ops', 'grace@example.com']);
my @cab = (['Alice Example', 'alice@example.com'], ['Carol Nguyen', 'carol@example.com']);
my @clients = qw(acme globex initech umbrella);
my @next = (requested => 'approved', approved => 'implementing',
	    implementing => 'implemented', implemented => 'closed');
my %next = @next;
my $time = 1735689600;          # 2025-01-01T00:00:00Z
my $mark = 0;
my $count = 0;

sub data { my ($s) = @_; return 'data ' . length($s) . "\n" . $s . "\n"; }

sub person { my ($p) = @_; return "$p->[0] <$p->[1]>"; }

# The canonical form (digest.h): compact JSON, keys sorted, scalars strings.
sub canon {
	my ($v) = @_;
	if (ref $v eq 'HASH') {
		return '{' . join(',', map { canon_str($_) . ':' . canon($v->{$_}) }
				 sort keys %$v) . '}';
	}
	if (ref $v eq 'ARRAY') {
		return '[' . join(',', map { canon($_) } @$v) . ']';
	}
	return canon_str($v);
}

sub canon_str {
	my ($s) = @_;
	$s =~ s/(["\\])/\\$1/g;
	$s =~ s/\n/\\n/g;
	return "\"$s\"";
}

sub covered {
	my ($c) = @_;
	return {
		id => $c->{id}, title => $c->{title}, type => 'normal',
		'requested-by' => person($c->{req}),
		owner => 'Bob Ops <bob@example.com>', client => $c->{client},
		reason => "Keep $c->{id} systems supported.\n",
		description => "Revision $c->{rev} of the synthetic change $c->{id}.\n",
		systems => [@{$c->{systems}}],
		impact => { users => $c->{users}, scope => 'team', downtime => '30m' },
		risk => { level => 'medium', assessment => {
			'users-affected' => '2', 'system-criticality' => '3',
			security => '2', 'rollback-difficulty' => '2', timing => '2' } },
		window => { start => '2026-12-05T22:00:00Z', end => '2026-12-05T23:00:00Z' },
		'implementation-plan' => "Apply revision $c->{rev}.\n",
		'rollback-plan' => "Restore the previous revision.\n",
	};
}

sub yaml {
	my ($c) = @_;
	my $y = "id: $c->{id}\ntitle: $c->{title}\ntype: normal\nstate: $c->{state}\n" .
		'requested-by: ' . person($c->{req}) . "\n" .
		"owner: Bob Ops <bob\@example.com>\nclient: $c->{client}\n" .
		"reason: |\n  Keep $c->{id} systems supported.\n" .
		"description: |\n  Revision $c->{rev} of the synthetic change $c->{id}.\n" .
		'systems: [' . join(', ', @{$c->{systems}}) . "]\n" .
		"impact: {users: $c->{users}, scope: team, downtime: 30m}\n" .
		"risk:\n  level: medium\n  assessment: {users-affected: 2, system-criticality: 3, security: 2, rollback-difficulty: 2, timing: 2}\n" .
		"window: {start: 2026-12-05T22:00:00Z, end: 2026-12-05T23:00:00Z}\n" .
		"implementation-plan: |\n  Apply revision $c->{rev}.\n" .
		"rollback-plan: |\n  Restore the previous revision.\n";
	$y .= "review:\n  outcome: successful\n  actual-start: 2026-12-05T22:05:00Z\n" .
	      "  actual-end: 2026-12-05T22:50:00Z\n  notes: |\n    Done as planned.\n"
		if $c->{state} eq 'closed';
	return $y;
}

sub path { my ($c) = @_; return "changes/$c->{client}/$c->{id}.yaml"; }

# commit AUTHOR MESSAGE [FROM] FILE-COMMANDS...
sub commit {
	my ($who, $msg, $from, @files) = @_;
	$time += 300;
	$count++;
	my $id = ++$mark;
	my $s = "commit refs/heads/main\nmark :$id\n" .
		"author " . person($who) . " $time +0000\n" .
		"committer " . person($who) . " $time +0000\n" . data($msg);
	$s .= $from if $from;
	print $s, @files;
	return $id;
}

sub src_change {
	my ($n) = @_;
	my $f = int(rand(1000));
	my $path = sprintf('src/d%02d/f%03d.c', $f % 50, $f);
	return "M 100644 inline $path\n" . data("/* revision $n */\nint f$f(void) { return $n; }\n");
}

# The first commit: the policy, a README and the source files.
my $policy = <<'EOP';
version: 1
extends: default
clients: [acme, globex, initech, umbrella]
approvals:
  require-signature: false
  groups:
    cab: [alice@example.com, carol@example.com]
    managers: [dave@example.com]
    emergency: [alice@example.com]
EOP
my @init = ("M 100644 inline .chg/policy.yaml\n" . data($policy),
	    "M 100644 inline README.md\n" . data("A synthetic change repository.\n"));
for my $f (0 .. 999) {
	push @init, sprintf("M 100644 inline src/d%02d/f%03d.c\n", $f % 50, $f) .
		    data("int f$f(void) { return 0; }\n");
}
my $last = commit($staff[1], "Set up the repository\n", undef, @init);

my @crs;       # every change request made so far
my @open;      # those not closed
my $made = 0;
my $cr_done = 0;
my $side = 0;
while ($count < $M) {
	my $i = $count + 1;
	# spread the change request commits evenly over the history
	my $is_cr = $cr_done < int($i * $K / $M);
	if (!$is_cr) {
		if ($i % 500 == 0 && $i + 3 <= $M) {
			# a side branch of two source commits, merged back
			my $b = "refs/heads/side" . ($side++ % 4);
			my $base = $last;
			for my $k (1 .. 2) {
				$time += 60;
				my $id = ++$mark;
				print "commit $b\nmark :$id\n" .
				      "author " . person($staff[2]) . " $time +0000\n" .
				      "committer " . person($staff[2]) . " $time +0000\n" .
				      data("Side work $i.$k\n") .
				      ($k == 1 ? "from :$base\n" : "from :" . ($id - 1) . "\n") .
				      src_change("$i$k");
				$count++;
			}
			$last = commit($staff[3], "Merge side work $i\n",
				       "from :$last\nmerge :$mark\n", src_change($i));
			next;
		}
		$last = commit($staff[$i % 2 + 2], "Work item $i\n", undef, src_change($i));
		next;
	}
	$cr_done++;
	my $left_cr = $K - $cr_done + 1;   # this one included
	if ($made < $N && (!@open || rand() < 0.3 || $N - $made >= $left_cr)) {
		$made++;
		my $c = { id => sprintf('CHG-%05d', $made), rev => 1, state => 'requested',
			  title => "Synthetic change $made", req => $staff[$made % 2],
			  client => $clients[$made % 4], users => 10 + $made % 90,
			  systems => ['app-' . ($made % 7), 'db-' . ($made % 5)] };
		push @crs, $c;
		push @open, $c;
		$last = commit($c->{req}, "Request $c->{id}: $c->{title}\n", undef,
			       'M 100644 inline ' . path($c) . "\n" . data(yaml($c)));
		next;
	}
	my $k = int(rand(@open));
	my $c = $open[$k];
	my $r = rand();
	if ($r < 0.25 && $c->{state} eq 'requested') {
		# an approval by a CAB member, of the content as it is
		my $who = $cab[int(rand(2))];
		my $d = 'sha256:' . sha256_hex(canon(covered($c)));
		$last = commit($who, "Approve $c->{id}: $c->{title}\n\n" .
			       "Change-Request: $c->{id}\nChange-Digest: $d\n" .
			       'Approved-by: ' . person($who) . "\n", undef);
	} elsif ($r < 0.55 && $next{$c->{state}}) {
		$c->{state} = $next{$c->{state}};
		splice(@open, $k, 1) if $c->{state} eq 'closed';
		$last = commit($staff[1], "$c->{id}: $c->{state}\n", undef,
			       'M 100644 inline ' . path($c) . "\n" . data(yaml($c)));
	} elsif ($r < 0.58) {
		my $old = path($c);
		$c->{client} = $clients[(int(rand(3)) + 1 + $made) % 4];
		$c->{client} = $clients[0] if path($c) eq $old;
		$last = commit($staff[1], "Move $c->{id} to $c->{client}\n", undef,
			       "D $old\n",
			       'M 100644 inline ' . path($c) . "\n" . data(yaml($c)));
	} else {
		my $what = rand();
		if ($what < 0.5) {
			$c->{rev}++;
		} elsif ($what < 0.8) {
			$c->{users}++;
		} else {
			push @{$c->{systems}}, 'web-' . scalar(@{$c->{systems}});
		}
		$last = commit($staff[$cr_done % 2], "Edit $c->{id}\n", undef,
			       'M 100644 inline ' . path($c) . "\n" . data(yaml($c)));
	}
}
print "done\n";
printf STDERR "gen-repo.sh: %d commits, %d change requests\n", $count, $made;
PERL
git -C "$DIR" fast-import --quiet --done
git -C "$DIR" reset -q --hard main
