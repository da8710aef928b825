/**
 * The test FTP server as its own process (for benchmarks: the client under test and the server must
 * not share one event loop). Usage: tsx test/servers/ftp-process.ts <root> <user> <password>
 * Prints {"port": N} on stdout once listening; stops on SIGTERM.
 */
import { startFtpServer } from './ftp';

async function main(): Promise<void> {
  const [root, user, password] = process.argv.slice(2);
  if (!root || !user || !password) throw new Error('usage: ftp-process.ts <root> <user> <password>');
  const server = await startFtpServer({ root, users: { [user]: password } });
  process.stdout.write(JSON.stringify({ port: server.port }) + '\n');
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
