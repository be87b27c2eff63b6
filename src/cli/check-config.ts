/** `npm run check-config`: validates every setting and prints what will be used (never the token). */
import { loadConfig } from '../config/config.js';
import { runCli } from './run-cli.js';

await runCli(async () => {
  const config = loadConfig();
  const shown = { ...config, discordToken: config.discordToken ? '(set)' : '(not set: command-line mode)' };
  for (const [key, value] of Object.entries(shown)) {
    process.stdout.write(`${key}: ${Array.isArray(value) ? value.join(', ') : String(value ?? '')}\n`);
  }
});
