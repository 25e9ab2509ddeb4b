// Waits until every URL answers 200 (usage: wait-health.mjs SECONDS URL...). Exit 1 on timeout.
const [seconds, ...urls] = process.argv.slice(2);
const deadline = Date.now() + Number(seconds) * 1000;
const pending = new Set(urls);
while (pending.size && Date.now() < deadline) {
  for (const url of [...pending]) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) pending.delete(url);
    } catch {
      // not up yet
    }
  }
  if (pending.size) await new Promise((r) => setTimeout(r, 250));
}
if (pending.size) {
  console.error(`wait-health: no answer from ${[...pending].join(', ')}`);
  process.exit(1);
}
