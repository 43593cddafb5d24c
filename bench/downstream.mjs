// The downstream call of the baselines (tool-baseline-server.mjs, tool-baseline-worker.mjs): the demo provider's
// notes with the fixed token the benchmark got for the same person (DOWNSTREAM_URL, DOWNSTREAM_TOKEN).
const downstream = `${process.env.DOWNSTREAM_URL}/api/notes`;
const authorization = `Bearer ${process.env.DOWNSTREAM_TOKEN}`;

export async function listNotesDownstream() {
  const response = await fetch(downstream, { headers: { authorization, accept: 'application/json' } });
  return response.json();
}
