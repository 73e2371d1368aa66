#!/bin/bash
# One round of a paired A/B: `bench/cpu-per-request.sh <checkout> <ours|peer> <a|b|revoke> [seconds]`
# (exchange (a), /userinfo only, or (b), API audience, or /oauth/revoke; (a) needs a tenant generated
# with --userinfo-only-mobile-tokens, as npm run bench's is: GEN=/tmp/gen.a, made as below with that flag)
# prints req/s, p99, non-2xx, the server's CPU per request in us (every thread, from /proc's
# clock ticks) and its RSS. Run it alternately on two checkouts
# (A, B, A, B) and compare the medians. "ours" starts `<checkout>`'s tenant with --workers 1 on
# a copy of /tmp/gen.orig, made once with:
#   npm run tenant:generate -- --users 2000 --tokens 40000 --data-dir /tmp/gen.orig --issuer http://127.0.0.1:4499/ --seed prof
# (GEN names another such directory; RATE=N holds the load at N requests per second instead of as fast as answered)
# "peer" starts the checkout's bench/peer with the same 40,000 token values.
REPO=$1; WHO=$2; SC=$3; SECS=${4:-8}; GEN=${GEN:-/tmp/gen.orig}
cd $REPO
if [ $WHO = ours ]; then
  rm -rf /tmp/gen-run && cp -a $GEN /tmp/gen-run
  (cd apps/tenant && TENANT_REFRESH_RATE_LIMIT=1000000 TENANT_DEMO=0 exec node $NODEFLAGS --import tsx src/server.ts --port 4499 --data-dir /tmp/gen-run --workers 1 > /tmp/ours.log 2>&1) &
  URL=http://127.0.0.1:4499; PTOK=/oauth/token; PREV=/oauth/revoke; APP=acme-mobile; WEB='"client_id":"acme-web","client_secret":"acme-web-demo-secret-0123456789abcdef"'; SEED=prof; ALIVE=/.well-known/openid-configuration
else
  (exec node $NODEFLAGS --import tsx bench/peer/oidc-provider.ts --port 4498 --tokens 40000 --seed prof > /tmp/peer.log 2>&1) &
  URL=http://127.0.0.1:4498; PTOK=/token; PREV=/token/revocation; APP=peer-app; WEB='"client_id":"peer-web","client_secret":"peer-web-secret"'; SEED=prof; ALIVE=/health
fi
sleep 1
for i in $(seq 1 200); do curl -sf -o /dev/null $URL$ALIVE && break; sleep 0.25; done
PID=$(pgrep -f "port 449[89]" | head -1)
case $SC in
  a) P=$PTOK; BODY="{\"grant_type\":\"refresh_token\",\"client_id\":\"$APP\",\"refresh_token\":\"{token}\"}"; FIRST=2; STEP=4;;
  b) P=$PTOK; BODY="{\"grant_type\":\"refresh_token\",\"client_id\":\"$APP\",\"refresh_token\":\"{token}\"}"; FIRST=0; STEP=4;;
  revoke) P=$PREV; BODY="{$WEB,\"token\":\"{token}\"}"; FIRST=1; STEP=2;;
esac
load() { npx tsx bench/load.ts "{\"url\":\"$URL\",\"path\":\"$P\",\"method\":\"POST\",\"connections\":50,${RATE:+\"ratePerSecond\":$RATE,}\"durationSeconds\":$1,\"form\":$BODY,\"tokens\":{\"seed\":\"$SEED\",\"first\":$2,\"step\":$STEP}}"; }
# Warm-up on the last tokens; keep req/s x seconds x step under 36,000, or the measured load reaches them.
load 1 $((FIRST+36000)) > /dev/null
T0=$(awk '{print $14+$15}' /proc/$PID/stat)
R=$(load $SECS $FIRST)
T1=$(awk '{print $14+$15}' /proc/$PID/stat)
TOTAL=$(echo "$R" | node -pe 'JSON.parse(require("fs").readFileSync(0)).total')
RPS=$(echo "$R" | node -pe 'JSON.parse(require("fs").readFileSync(0)).requestsPerSecond')
P99=$(echo "$R" | node -pe 'JSON.parse(require("fs").readFileSync(0)).p99')
NON=$(echo "$R" | node -pe 'JSON.parse(require("fs").readFileSync(0)).non2xx')
RSS=$(awk '/VmRSS/{print $2}' /proc/$PID/status)
echo "$WHO $SC rps=$RPS p99=$P99 non2xx=$NON cpu_us_per_req=$(( (T1-T0)*10000 / TOTAL )) rss_kb=$RSS"
kill -INT $PID; sleep 0.5; kill -9 $PID 2>/dev/null; wait 2>/dev/null
