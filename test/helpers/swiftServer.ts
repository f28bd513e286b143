import {execFileSync, spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import {tempDir} from './tempDir.js'

/**
 * A real OpenStack Swift (Debian's swift packages) with its S3 API, on 127.0.0.1, for tests and
 * the bench: account, container and object servers on one device, memcached (the S3 layer keeps
 * its tokens there), and `proxies` proxy servers in front of the same storage. Each proxy is an
 * endpoint of its own, so a test makes some bucket drives unreachable by stopping the proxy their
 * store names, while the others keep answering. Every process runs in the foreground
 * (workers = 0) and is stopped by its PID.
 */
export interface SwiftServer {
  readonly endpoints: readonly string[]
  readonly accessKey: string
  readonly secretKey: string
  stopProxy(index: number): Promise<void>
  startProxy(index: number): Promise<void>
  /** Freezes (SIGSTOP) or thaws (SIGCONT) a proxy: connections are still accepted, nothing is answered. */
  freezeProxy(index: number, frozen: boolean): void
  stop(): Promise<void>
}

const BINARIES = ['swift-proxy-server', 'swift-object-server', 'swift-container-server', 'swift-account-server', 'swift-ring-builder', 'memcached']

/** Why Swift cannot run here, or undefined when it can. */
export function swiftMissing(): string | undefined {
  const missing = BINARIES.filter((binary) => !fs.existsSync(`/usr/bin/${binary}`))
  return missing.length === 0 ? undefined : `OpenStack Swift is not installed (${missing.join(', ')} missing; scripts/test.sh installs Debian's swift packages)`
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({host: '127.0.0.1', port, path: '/healthcheck', timeout: 1000}, (response) => {
      response.resume()
      resolve(response.statusCode === 200)
    })
    request.on('error', () => resolve(false))
    request.on('timeout', () => request.destroy())
  })
}

async function waitFor(what: string, ready: () => Promise<boolean>, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000
  while (!await ready()) {
    if (Date.now() > deadline) throw new Error(`${what} did not start in 60 s: ${fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : 'no log'}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

export interface SwiftOptions {
  readonly proxies: number
  /**
   * Proxy `proxy` rate-limits object writes (Swift's ratelimit middleware): past `putsPerSecond`
   * PUTs and DELETEs per bucket it answers 503 SlowDown through the S3 API, as a busy store does.
   */
  readonly throttle?: {readonly proxy: number; readonly putsPerSecond: number}
}

export async function startSwift(options: SwiftOptions): Promise<SwiftServer> {
  const dir = tempDir('shmr-swift-')
  const devices = path.join(dir, 'devices')
  fs.mkdirSync(path.join(devices, 'd1'), {recursive: true})
  const ports = {object: await freePort(), container: await freePort(), account: await freePort(), memcached: await freePort()}
  const proxyPorts = await Promise.all(Array.from({length: options.proxies}, () => freePort()))
  fs.writeFileSync(path.join(dir, 'swift.conf'), '[swift-hash]\nswift_hash_path_suffix = shmrtest\nswift_hash_path_prefix = shmrtest\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n')
  for (const kind of ['account', 'container', 'object'] as const) {
    const builder = path.join(dir, `${kind}.builder`)
    // Part power 6, one replica, min_part_hours 1: one device holds everything.
    execFileSync('swift-ring-builder', [builder, 'create', '6', '1', '1'], {stdio: 'ignore'})
    execFileSync('swift-ring-builder', [builder, 'add', `r1z1-127.0.0.1:${ports[kind]}/d1`, '1'], {stdio: 'ignore'})
    execFileSync('swift-ring-builder', [builder, 'rebalance'], {stdio: 'ignore'})
    fs.writeFileSync(path.join(dir, `${kind}-server.conf`), [
      '[DEFAULT]', 'bind_ip = 127.0.0.1', `bind_port = ${ports[kind]}`, `devices = ${devices}`, 'mount_check = false',
      `swift_dir = ${dir}`, 'workers = 0', 'log_level = WARNING',
      '[pipeline:main]', `pipeline = ${kind}-server`, `[app:${kind}-server]`, `use = egg:swift#${kind}`, '',
    ].join('\n'))
  }
  const filters = ['catch_errors', 'gatekeeper', 'healthcheck', 'proxy_logging', 'listing_formats', 'copy', 'slo', 'dlo']
  const proxyConf = (port: number, putsPerSecond: number | undefined): string => [
    '[DEFAULT]', 'bind_ip = 127.0.0.1', `bind_port = ${port}`, `swift_dir = ${dir}`, 'workers = 0', 'log_level = WARNING',
    '[pipeline:main]',
    // ratelimit after s3api, so that s3api turns its 498 into the S3 API's 503 SlowDown.
    `pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth ${putsPerSecond ? 'ratelimit ' : ''}copy slo dlo proxy-logging proxy-server`,
    // Next to no waiting inside the store: a write over the rate is refused (a sleep of 40 ms or more is).
    ...putsPerSecond ? ['[filter:ratelimit]', 'use = egg:swift#ratelimit', `container_ratelimit_0 = ${putsPerSecond}`, 'max_sleep_time_seconds = 0.05', 'rate_buffer_seconds = 0'] : [],
    '[app:proxy-server]', 'use = egg:swift#proxy', 'account_autocreate = true',
    '[filter:tempauth]', 'use = egg:swift#tempauth', 'user_test_tester = testing .admin',
    '[filter:s3api]', 'use = egg:swift#s3api',
    '[filter:cache]', 'use = egg:swift#memcache', `memcache_servers = 127.0.0.1:${ports.memcached}`,
    ...filters.flatMap((filter) => [`[filter:${filter.replace('_logging', '-logging')}]`, `use = egg:swift#${filter}`]),
    '',
  ].join('\n')
  const children: ChildProcess[] = []
  const proxies: Array<ChildProcess | undefined> = []
  const launch = (name: string, command: string, args: string[]): ChildProcess => {
    const log = fs.openSync(path.join(dir, `${name}.log`), 'a')
    const child = spawn(command, args, {stdio: ['ignore', log, log]})
    fs.closeSync(log)
    children.push(child)
    return child
  }
  const startProxy = async (index: number): Promise<void> => {
    const conf = path.join(dir, `proxy-${index}.conf`)
    fs.writeFileSync(conf, proxyConf(proxyPorts[index]!, options.throttle?.proxy === index ? options.throttle.putsPerSecond : undefined))
    proxies[index] = launch(`proxy-${index}`, 'swift-proxy-server', [conf])
    await waitFor(`swift proxy ${index}`, () => healthy(proxyPorts[index]!), path.join(dir, `proxy-${index}.log`))
  }
  const stop = async (): Promise<void> => {
    for (const child of children) child.kill('SIGCONT')
    await Promise.all(children.map(stopProcess))
    fs.rmSync(dir, {recursive: true, force: true})
  }
  try {
    launch('memcached', 'memcached', ['-l', '127.0.0.1', '-p', String(ports.memcached), '-U', '0', ...(process.getuid?.() === 0 ? ['-u', 'root'] : [])])
    for (const kind of ['account', 'container', 'object'] as const) launch(kind, `swift-${kind}-server`, [path.join(dir, `${kind}-server.conf`)])
    for (let index = 0; index < options.proxies; index++) await startProxy(index)
  } catch (error) {
    await stop()
    throw error
  }
  return {
    endpoints: proxyPorts.map((port) => `http://127.0.0.1:${port}`),
    accessKey: 'test:tester',
    secretKey: 'testing',
    stopProxy: async (index) => stopProcess(proxies[index]),
    freezeProxy: (index, frozen) => void proxies[index]?.kill(frozen ? 'SIGSTOP' : 'SIGCONT'),
    startProxy,
    stop,
  }
}
