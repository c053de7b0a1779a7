"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.resolveTemporalCli = resolveTemporalCli;
exports.startTemporalDevServer = startTemporalDevServer;
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const client_1 = require("@temporalio/client");
const search_attributes_1 = require("../search-attributes");
const ports_1 = require("./ports");
/** The Temporal CLI chosen by `scripts/setup.mjs` (or named by TEMPORAL_CLI). */
function resolveTemporalCli(projectRoot, env) {
    if (env.TEMPORAL_CLI)
        return env.TEMPORAL_CLI;
    try {
        return (0, node_fs_1.readFileSync)((0, node_path_1.join)(projectRoot, '.data', 'temporal-cli-path'), 'utf8').trim();
    }
    catch {
        throw new Error('Temporal CLI not set up: run `node scripts/setup.mjs` (npm test and npm run dev do)');
    }
}
/**
 * Starts `temporal server start-dev` and resolves once its frontend answers. The version check is off so
 * the server makes no outbound call.
 */
async function startTemporalDevServer(options) {
    const port = options.port ?? (await (0, ports_1.freePort)());
    const args = [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--log-level',
        'error',
        '--dynamic-config-value',
        'frontend.enableServerVersionCheck=false',
        ...search_attributes_1.SEARCH_ATTRIBUTE_NAMES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
    ];
    if (options.uiPort === undefined)
        args.push('--headless');
    else
        args.push('--ui-port', String(options.uiPort));
    if (options.dbFilename)
        args.push('--db-filename', options.dbFilename);
    const child = (0, node_child_process_1.spawn)(options.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    const collect = (chunk) => {
        const text = chunk.toString();
        output.push(text);
        if (output.length > 50)
            output.shift();
        options.onOutput?.(text);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const address = `127.0.0.1:${port}`;
    try {
        await waitUntilServing(address, child, options.startTimeoutMs ?? 60_000);
    }
    catch (error) {
        child.kill('SIGKILL');
        throw new Error(`Temporal dev server did not start: ${error.message}\n${output.join('')}`);
    }
    return {
        address,
        port,
        uiUrl: options.uiPort === undefined ? undefined : `http://localhost:${options.uiPort}`,
        stop: () => stopProcess(child, exited),
    };
}
async function waitUntilServing(address, child, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) {
            throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
        }
        try {
            const connection = await client_1.Connection.connect({ address, connectTimeout: 1_000 });
            try {
                await connection.withDeadline(Date.now() + 2_000, () => connection.workflowService.getSystemInfo({}));
                return;
            }
            finally {
                await connection.close();
            }
        }
        catch (error) {
            if (Date.now() > deadline)
                throw error;
            await new Promise((resolve) => setTimeout(resolve, 200));
        }
    }
}
async function stopProcess(child, exited) {
    if (child.exitCode !== null || child.signalCode !== null)
        return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
}
//# sourceMappingURL=temporal-dev-server.js.map