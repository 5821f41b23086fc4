// Runs the check-layers CLI in this process and reports its peak memory on stderr for bench/run.mjs.
const { main } = require(process.argv[2]);
void main(process.argv.slice(3)).then((code) => {
  process.stderr.write(`\n__BENCH__ ${JSON.stringify({ code, maxRssKb: process.resourceUsage().maxRSS })}\n`);
  process.exitCode = 0;
});
