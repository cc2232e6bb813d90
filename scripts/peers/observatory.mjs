// Runs the MDN HTTP Observatory's own retriever, tests and grader on one server
// and prints its grade, score and each test's result as JSON. The package's
// scan() ignores ports, so this repeats its few lines of glue with retrieve()
// given the ports of a local server.
//
//   node observatory.mjs PACKAGE_DIR HOST HTTP_PORT|- HTTPS_PORT
//
// Trust a private CA with NODE_EXTRA_CA_CERTS=ca.pem.
const [dir, host, httpPort, httpsPort] = process.argv.slice(2);
const { retrieve } = await import(`${dir}/src/retriever/retriever.js`);
const { ALL_TESTS } = await import(`${dir}/src/constants.js`);
const { getGradeForScore, getScoreModifier } = await import(`${dir}/src/grader/grader.js`);
const { MINIMUM_SCORE_FOR_EXTRA_CREDIT } = await import(`${dir}/src/grader/charts.js`);

const options = { httpsPort: Number(httpsPort) };
if (httpPort !== "-") options.httpPort = Number(httpPort);
const r = await retrieve(host, options);
if (!r.responses.auto) {
  console.log(JSON.stringify({ error: "down" }));
  process.exit(0);
}
const results = ALL_TESTS.map((test) => test(r));
let withExtraCredit = 100;
let uncurved = 100;
const tests = {};
for (const result of results) {
  const modifier = result.result ? getScoreModifier(result.result) : 0;
  withExtraCredit += modifier;
  if (modifier < 0) uncurved += modifier;
  tests[result.constructor.name] = { pass: result.pass, result: result.result, modifier };
}
const score = uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withExtraCredit : uncurved;
const { grade } = getGradeForScore(score);
console.log(JSON.stringify({ grade, score: Math.max(score, 0), tests }));
