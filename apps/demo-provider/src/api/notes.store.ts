import { createHash } from 'node:crypto';

export interface User {
  id: string;
  username: string;
}

export interface Note {
  id: string;
  title: string;
  body: string;
  createdAt: string;
}

/** Demo users sign in by name alone. The id is derived from the name, so it survives a restart of the provider. */
export class UserDirectory {
  private readonly users = new Map<string, User>();

  /** Lower-case letters, digits, `.`, `_`, `-`; 1–32 characters, starting with a letter or digit. */
  static normalise(username: string): string | undefined {
    const name = username.trim().toLowerCase();
    return /^[a-z0-9][a-z0-9._-]{0,31}$/.test(name) ? name : undefined;
  }

  signIn(username: string): User {
    const id = `u_${createHash('sha256').update(username).digest('hex').slice(0, 16)}`;
    let user = this.users.get(id);
    if (!user) {
      user = { id, username };
      this.users.set(id, user);
    }
    return user;
  }

  find(id: string): User | undefined {
    return this.users.get(id);
  }
}

/** Each user's notes, visible to that user only (another user's note id reads as not found). */
export class NotesStore {
  private readonly byUser = new Map<string, Map<string, Note>>();
  private nextId = 1;

  list(userId: string): Note[] {
    return [...(this.byUser.get(userId)?.values() ?? [])];
  }

  get(userId: string, id: string): Note | undefined {
    return this.byUser.get(userId)?.get(id);
  }

  create(userId: string, input: { title: string; body: string }): Note {
    const note = {
      id: String(this.nextId++),
      title: input.title,
      body: input.body,
      createdAt: new Date().toISOString(),
    };
    let notes = this.byUser.get(userId);
    if (!notes) {
      notes = new Map();
      this.byUser.set(userId, notes);
    }
    notes.set(note.id, note);
    return note;
  }

  delete(userId: string, id: string): boolean {
    return this.byUser.get(userId)?.delete(id) ?? false;
  }
}
