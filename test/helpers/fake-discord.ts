/**
 * A fake Discord on 127.0.0.1: enough REST and gateway for the real discord.js client to log in, receive
 * messages and interactions, and answer them. Everything the bot sends is recorded for the tests to inspect.
 * (The real Discord cannot be reached from the test machines; this is the sanctioned stand-in.)
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export const TOKEN = 'fake-bot-token.for-tests';
export const APP_ID = '100000000000000001';
export const BOT_ID = APP_ID;
export const GUILD_ID = '200000000000000002';
export const CHANNEL_ID = '300000000000000003';
export const ANSWER_CHANNEL_ID = '300000000000000004';
export const THREAD_ID = '300000000000000005';
export const DM_CHANNEL_ID = '300000000000000006';
export const USER_ID = '400000000000000004';
export const OTHER_USER_ID = '400000000000000007';
/** The role Discord creates for the bot when it joins a server (managed, tagged with the bot's id). */
export const BOT_ROLE_ID = '500000000000000001';
export const MOD_ROLE_ID = '500000000000000002';

const MESSAGE_CONTENT_INTENT = 1 << 15;

export interface RecordedRequest {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
  authorization: string | undefined;
}

export interface FakeDiscordOptions {
  /** When false, a client that asks for the Message Content intent is disconnected with 4014, as Discord does. */
  allowMessageContent?: boolean;
}

const DISCORD_EPOCH = 1420070400000n;
let sequenceWithinMs = 0n;
/** Ids as Discord makes them: the creation time (ms since 2015) shifted left 22 bits, plus a counter. */
export const snowflake = (at = Date.now()) =>
  String(((BigInt(at) - DISCORD_EPOCH) << 22n) + (sequenceWithinMs++ % 4096n));

export function user(id: string, name: string, bot = false) {
  return { id, username: name, discriminator: '0', global_name: name, avatar: null, bot, public_flags: 0 };
}

const BOT_USER = user(BOT_ID, 'CorpusBot', true);

function role(id: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name,
    permissions: '0',
    position: 1,
    color: 0,
    hoist: false,
    managed: false,
    mentionable: true,
    flags: 0,
    ...extra,
  };
}

/**
 * What real Discord refuses with 400 Invalid Form Body (documented limits): the bot must never send these.
 * Written from Discord's rules, not from the bot's own checks, so a shared mistake cannot hide.
 */
export function payloadProblems(body: Record<string, unknown> | undefined): string[] {
  if (!body) return [];
  const problems: string[] = [];
  const content = typeof body.content === 'string' ? body.content : '';
  if (content.length > 2000) problems.push('content: Must be 2000 or fewer in length.');
  const embeds = Array.isArray(body.embeds) ? (body.embeds as Record<string, unknown>[]) : [];
  if (embeds.length > 10) problems.push('embeds: Must be 10 or fewer in length.');
  let total = 0;
  for (const [i, embed] of embeds.entries()) {
    const title = typeof embed.title === 'string' ? embed.title : '';
    const description = typeof embed.description === 'string' ? embed.description : '';
    const footer = (embed.footer as { text?: string } | undefined)?.text ?? '';
    if (title.length > 256) problems.push(`embeds.${i}.title: Must be 256 or fewer in length.`);
    if (description.length > 4096) problems.push(`embeds.${i}.description: Must be 4096 or fewer in length.`);
    if (footer.length > 2048) problems.push(`embeds.${i}.footer.text: Must be 2048 or fewer in length.`);
    if (embed.url !== undefined) {
      let ok = false;
      try {
        const raw = String(embed.url);
        const url = new URL(raw);
        // Discord refuses a URL holding what must be percent-encoded (a space, say), though WHATWG would fix it.
        ok = (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !/[\s<>"]/.test(raw);
      } catch {
        ok = false;
      }
      if (!ok) problems.push(`embeds.${i}.url: Not a well formed URL.`);
    }
    total += title.length + description.length + footer.length;
  }
  if (total > 6000) problems.push('embeds: Embed size exceeds maximum size of 6000');
  const rows = Array.isArray(body.components) ? (body.components as { components?: Record<string, unknown>[] }[]) : [];
  if (rows.length > 5) problems.push('components: Must be 5 or fewer in length.');
  for (const [r, row] of rows.entries()) {
    const buttons = row.components ?? [];
    if (buttons.length > 5) problems.push(`components.${r}.components: Must be 5 or fewer in length.`);
    for (const [b, button] of buttons.entries()) {
      const id = String(button.custom_id ?? '');
      if (id.length < 1 || id.length > 100) problems.push(`components.${r}.components.${b}.custom_id: 1 to 100.`);
      if (String(button.label ?? '').length > 80) problems.push(`components.${r}.components.${b}.label: 80 or fewer.`);
    }
  }
  return problems;
}
const timestamp = () => new Date().toISOString();

function channel(id: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    type: 0,
    guild_id: GUILD_ID,
    name,
    position: 0,
    permission_overwrites: [],
    nsfw: false,
    parent_id: null,
    ...extra,
  };
}

export class FakeDiscord {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly gateway: WebSocketServer;
  private socket: WebSocket | undefined;
  private sequence = 0;
  private identifiedIntents = 0;
  private readonly waiters: {
    predicate: (request: RecordedRequest) => boolean;
    resolve: (request: RecordedRequest) => void;
  }[] = [];
  port = 0;
  /** Paths that answer the next request with 429 Too Many Requests, as Discord's rate limits do. */
  private readonly rateLimited = new Map<string, number>();
  /** Every message posted, by channel, for GET /channels/:id/messages (catch-up after a restart). */
  private readonly channelMessages = new Map<string, Record<string, unknown>[]>();
  /** Requests that fail with a given HTTP status, as Discord's errors do (see failNext). */
  private readonly failures: { method: string; path: RegExp; status: number; times: number }[] = [];

  constructor(private readonly options: FakeDiscordOptions = {}) {
    this.server = createServer((request, response) => {
      this.handleRest(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    this.gateway = new WebSocketServer({ server: this.server, path: '/gateway' });
    this.gateway.on('connection', (socket) => this.handleGateway(socket));
  }

  /** The next `times` requests to this method and path get a 429 with `retry_after` seconds. */
  rateLimit(method: string, path: string, times = 1): void {
    this.rateLimited.set(`${method} ${path}`, times);
  }

  /** The next `times` requests matching `method` and `path` get `status` with a Discord-style error body. */
  failNext(method: string, path: RegExp, status: number, times = 1): void {
    this.failures.push({ method, path, status, times });
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  async close(): Promise<void> {
    for (const client of this.gateway.clients) client.terminate();
    this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Resolves with the first recorded request (past or future) that matches. */
  waitForRequest(predicate: (request: RecordedRequest) => boolean, timeoutMs = 20_000): Promise<RecordedRequest> {
    const found = this.requests.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a request from the bot')), timeoutMs);
      this.waiters.push({
        predicate,
        resolve: (request) => {
          clearTimeout(timer);
          resolve(request);
        },
      });
    });
  }

  private record(request: RecordedRequest): void {
    this.requests.push(request);
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(request)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(request);
      }
    }
  }

  private async handleRest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> | undefined;
    if (raw) {
      // discord.js sends JSON, or multipart with a payload_json part when files are attached.
      const json = /^[[{]/.test(raw)
        ? raw
        : (/name="payload_json"\r\n(?:[^\r\n]*\r\n)*\r\n([\s\S]*?)\r\n--/.exec(raw)?.[1] ?? '{}');
      body = JSON.parse(json) as Record<string, unknown>;
    }
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname.replace(/^\/api\/v\d+/, ''));
    const method = request.method ?? 'GET';
    const authorization = request.headers.authorization;
    const send = (status: number, payload?: unknown) => {
      // Like Discord: a 204 has no body and no JSON content type.
      if (payload === undefined) response.writeHead(status).end();
      else response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    const authorized = authorization === `Bot ${TOKEN}`;
    const webhook = path.startsWith('/webhooks/') || path.startsWith('/interactions/');
    if (!authorized && !webhook) {
      send(401, { message: '401: Unauthorized', code: 0 });
      this.record({ method, path, body, authorization });
      return;
    }
    this.record({ method, path, body, authorization });

    const limited = this.rateLimited.get(`${method} ${path}`) ?? 0;
    if (limited > 0) {
      this.rateLimited.set(`${method} ${path}`, limited - 1);
      response
        .writeHead(429, {
          'content-type': 'application/json',
          'retry-after': '1',
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': '0.5',
          'x-ratelimit-bucket': 'fake-bucket',
          'x-ratelimit-scope': 'user',
        })
        .end(JSON.stringify({ message: 'You are being rate limited.', retry_after: 0.5, global: false }));
      return;
    }

    const failure = this.failures.find((entry) => entry.times > 0 && entry.method === method && entry.path.test(path));
    if (failure) {
      failure.times--;
      send(failure.status, { message: `fake failure ${failure.status}`, code: failure.status === 400 ? 50035 : 0 });
      return;
    }

    const problems = method === 'POST' || method === 'PATCH' ? payloadProblems(body) : [];
    if (problems.length > 0) {
      send(400, { message: 'Invalid Form Body', code: 50035, errors: problems });
      return;
    }

    if (method === 'GET' && path === '/gateway/bot') {
      send(200, {
        url: `ws://127.0.0.1:${this.port}/gateway`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      });
    } else if (method === 'GET' && path === '/applications/@me') {
      send(200, { id: APP_ID, name: 'CorpusBot', bot: BOT_USER, flags: 0 });
    } else if (method === 'PUT' && /^\/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(path)) {
      const commands = (body as unknown as Record<string, unknown>[] | undefined) ?? [];
      send(
        200,
        commands.map((command) => ({ ...command, id: snowflake(), application_id: APP_ID, version: '1' })),
      );
    } else if (method === 'PUT' && /^\/channels\/\d+\/messages\/\d+\/reactions\/[^/]+\/@me$/.test(path)) {
      send(204);
    } else if (method === 'POST' && /^\/channels\/\d+\/typing$/.test(path)) {
      send(204);
    } else if (method === 'GET' && /^\/channels\/\d+\/messages$/.test(path)) {
      const channelId = path.split('/')[2] ?? '';
      const after = BigInt(url.searchParams.get('after') ?? '0');
      const limit = Number(url.searchParams.get('limit') ?? '50');
      const messages = (this.channelMessages.get(channelId) ?? [])
        .filter((message) => BigInt(String(message.id)) > after)
        .sort((a, b) => (BigInt(String(b.id)) > BigInt(String(a.id)) ? 1 : -1))
        .slice(0, limit)
        .map((message) => this.visible(message));
      send(200, messages);
    } else if (method === 'GET' && /^\/channels\/\d+$/.test(path)) {
      const channelId = path.split('/')[2] ?? '';
      if (channelId === DM_CHANNEL_ID) send(200, { id: DM_CHANNEL_ID, type: 1, recipients: [user(USER_ID, 'asker')] });
      else if ([CHANNEL_ID, ANSWER_CHANNEL_ID].includes(channelId)) send(200, channel(channelId, 'channel'));
      else send(404, { message: 'Unknown Channel', code: 10003 });
    } else if (method === 'POST' && /^\/channels\/\d+\/messages$/.test(path)) {
      const channelId = path.split('/')[2] ?? '';
      send(200, this.botMessage(channelId, body));
    } else if (method === 'POST' && /^\/interactions\/\d+\/[^/]+\/callback$/.test(path)) {
      send(204);
    } else if ((method === 'PATCH' || method === 'POST') && path.startsWith(`/webhooks/${APP_ID}/`)) {
      send(200, {
        ...this.botMessage(CHANNEL_ID, body),
        interaction_metadata: {
          id: snowflake(),
          type: 2,
          user: user(USER_ID, 'asker'),
          authorizing_integration_owners: {},
        },
      });
    } else {
      send(404, { message: `fake Discord has no route ${method} ${path}`, code: 0 });
    }
  }

  private store(message: Record<string, unknown>): void {
    const channelId = String(message.channel_id);
    this.channelMessages.set(channelId, [...(this.channelMessages.get(channelId) ?? []), message]);
  }

  /** A stored message as the bot may see it: without the Message Content intent, guild text only when it mentions the bot. */
  private visible(message: Record<string, unknown>): Record<string, unknown> {
    const mentionsBot =
      (message.mentions as { id: string }[]).some((mentioned) => mentioned.id === BOT_ID) ||
      (message.mention_roles as string[]).includes(BOT_ROLE_ID);
    const seen =
      message.guild_id === undefined || mentionsBot || (this.identifiedIntents & MESSAGE_CONTENT_INTENT) !== 0;
    return seen ? message : { ...message, content: '' };
  }

  private botMessage(channelId: string, body: Record<string, unknown> | undefined) {
    const reference = body?.message_reference as { message_id?: string } | undefined;
    const message = {
      id: snowflake(),
      channel_id: channelId,
      author: BOT_USER,
      content: body?.content ?? '',
      timestamp: timestamp(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: body?.embeds ?? [],
      components: body?.components ?? [],
      pinned: false,
      type: reference ? 19 : 0,
      flags: 0,
      ...(reference?.message_id
        ? { message_reference: { message_id: reference.message_id, channel_id: channelId } }
        : {}),
    };
    this.store(message);
    return message;
  }

  private send(op: number, d: unknown, t?: string): void {
    const payload = op === 0 ? { op, d, s: ++this.sequence, t } : { op, d, s: null, t: null };
    this.socket?.send(JSON.stringify(payload));
  }

  private handleGateway(socket: WebSocket): void {
    this.socket = socket;
    this.send(10, { heartbeat_interval: 30_000 });
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { op: number; d: Record<string, unknown> };
      if (message.op === 1) this.send(11, null);
      if (message.op === 2) this.identify(message.d);
    });
  }

  private identify(d: Record<string, unknown>): void {
    if (d.token !== TOKEN) {
      this.socket?.close(4004, 'Authentication failed.');
      return;
    }
    this.identifiedIntents = Number(d.intents);
    if (this.options.allowMessageContent === false && (this.identifiedIntents & MESSAGE_CONTENT_INTENT) !== 0) {
      this.socket?.close(4014, 'Disallowed intent(s).');
      return;
    }
    this.send(
      0,
      {
        v: 10,
        user: BOT_USER,
        guilds: [{ id: GUILD_ID, unavailable: true }],
        session_id: 'session-1',
        resume_gateway_url: `ws://127.0.0.1:${this.port}/gateway`,
        shard: [0, 1],
        application: { id: APP_ID, flags: 0 },
      },
      'READY',
    );
    this.send(
      0,
      {
        id: GUILD_ID,
        name: 'Test server',
        icon: null,
        owner_id: USER_ID,
        afk_timeout: 300,
        verification_level: 0,
        default_message_notifications: 0,
        explicit_content_filter: 0,
        roles: [
          {
            id: GUILD_ID,
            name: '@everyone',
            permissions: '1024',
            position: 0,
            color: 0,
            hoist: false,
            managed: false,
            mentionable: false,
            flags: 0,
          },
          role(BOT_ROLE_ID, 'CorpusBot', { managed: true, tags: { bot_id: BOT_ID } }),
          role(MOD_ROLE_ID, 'Moderators'),
        ],
        emojis: [],
        stickers: [],
        features: [],
        mfa_level: 0,
        system_channel_id: null,
        premium_tier: 0,
        preferred_locale: 'en-US',
        nsfw_level: 0,
        joined_at: timestamp(),
        large: false,
        unavailable: false,
        member_count: 2,
        members: [],
        voice_states: [],
        presences: [],
        channels: [channel(CHANNEL_ID, 'general'), channel(ANSWER_CHANNEL_ID, 'ask-here')],
        threads: [
          {
            ...channel(THREAD_ID, 'a thread', { type: 11, parent_id: CHANNEL_ID }),
            owner_id: USER_ID,
            member_count: 1,
            message_count: 0,
            thread_metadata: {
              archived: false,
              auto_archive_duration: 60,
              archive_timestamp: timestamp(),
              locked: false,
            },
          },
        ],
        stage_instances: [],
        guild_scheduled_events: [],
      },
      'GUILD_CREATE',
    );
  }

  /** A user posts a message. In a guild without the Message Content intent, its text arrives only if it mentions the bot. */
  postMessage(options: {
    content: string;
    channelId?: string;
    mentionBot?: boolean;
    /** Role ids mentioned in the content (mention_roles); the bot's managed role addresses the bot. */
    mentionRoles?: string[];
    /** Other users mentioned in the content, with the server nickname Discord sends as their member. */
    mentionUsers?: { id: string; name: string; nick?: string }[];
    dm?: boolean;
    authorId?: string;
    /** Posted this long ago (for catch-up tests). */
    ageMs?: number;
  }): string {
    const id = snowflake(Date.now() - (options.ageMs ?? 0));
    const author = user(options.authorId ?? USER_ID, 'asker');
    const dm = options.dm === true;
    const addressed = options.mentionBot === true || (options.mentionRoles ?? []).includes(BOT_ROLE_ID);
    const hasContent = dm || addressed || (this.identifiedIntents & MESSAGE_CONTENT_INTENT) !== 0;
    const mentionedUsers = (options.mentionUsers ?? []).map((mentioned) => ({
      ...user(mentioned.id, mentioned.name),
      ...(mentioned.nick
        ? { member: { nick: mentioned.nick, roles: [], joined_at: timestamp(), deaf: false, mute: false, flags: 0 } }
        : {}),
    }));
    const message = {
      id,
      channel_id: dm ? DM_CHANNEL_ID : (options.channelId ?? CHANNEL_ID),
      // Discord tells the channel's type with each message; discord.js needs it for DM channels it has not seen.
      channel_type: dm ? 1 : options.channelId === THREAD_ID ? 11 : 0,
      ...(dm
        ? {}
        : { guild_id: GUILD_ID, member: { roles: [], joined_at: timestamp(), deaf: false, mute: false, flags: 0 } }),
      author,
      content: hasContent ? options.content : '',
      timestamp: new Date(Date.now() - (options.ageMs ?? 0)).toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [...(options.mentionBot ? [BOT_USER] : []), ...mentionedUsers],
      mention_roles: options.mentionRoles ?? [],
      attachments: [],
      embeds: [],
      components: [],
      pinned: false,
      type: 0,
      flags: 0,
    };
    this.store({ ...message, content: options.content });
    // Delivered only to a connected bot; stored either way, as Discord keeps messages posted while a bot is away.
    if (this.socket?.readyState === WebSocket.OPEN) this.send(0, message, 'MESSAGE_CREATE');
    return id;
  }

  private interaction(
    type: number,
    data: Record<string, unknown>,
    extra: Record<string, unknown> = {},
    authorId = USER_ID,
    permissions = '2147483647',
  ): { id: string; token: string } {
    const id = snowflake();
    const token = `interaction-token-${id}`;
    this.send(
      0,
      {
        id,
        application_id: APP_ID,
        type,
        data,
        guild_id: GUILD_ID,
        channel_id: CHANNEL_ID,
        channel: channel(CHANNEL_ID, 'general'),
        member: {
          user: user(authorId, 'asker'),
          roles: [],
          permissions,
          joined_at: timestamp(),
          deaf: false,
          mute: false,
          flags: 0,
        },
        token,
        version: 1,
        app_permissions: '2147483647',
        locale: 'en-US',
        guild_locale: 'en-US',
        entitlements: [],
        authorizing_integration_owners: { 0: GUILD_ID },
        context: 0,
        ...extra,
      },
      'INTERACTION_CREATE',
    );
    return { id, token };
  }

  /** A user runs a slash command. */
  slashCommand(
    name: string,
    options: { name: string; type: number; value?: string | number; options?: unknown[] }[] = [],
    authorId = USER_ID,
    /** The member's permissions in the channel (a bit set as a decimal string); all by default. */
    permissions = '2147483647',
  ) {
    return this.interaction(2, { id: snowflake(), name, type: 1, options }, {}, authorId, permissions);
  }

  /** A user types in an option with autocomplete: `options` holds the focused option ({ focused: true }). */
  autocomplete(name: string, options: unknown[], permissions = '2147483647') {
    return this.interaction(4, { id: snowflake(), name, type: 1, options }, {}, USER_ID, permissions);
  }

  /** A user right-clicks a message and picks a message command. */
  messageCommand(name: string, targetContent: string) {
    const targetId = snowflake();
    const target = {
      ...this.botMessage(CHANNEL_ID, { content: targetContent }),
      id: targetId,
      author: user(USER_ID, 'asker'),
    };
    return this.interaction(2, {
      id: snowflake(),
      name,
      type: 3,
      target_id: targetId,
      resolved: { messages: { [targetId]: target } },
    });
  }

  /** A user presses a button on one of the bot's messages. */
  pressButton(customId: string, authorId = USER_ID) {
    return this.interaction(
      3,
      { custom_id: customId, component_type: 2 },
      { message: this.botMessage(CHANNEL_ID, { content: '' }) },
      authorId,
    );
  }
}
