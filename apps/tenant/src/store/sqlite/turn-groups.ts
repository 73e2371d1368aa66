/** One request of a group: what was asked, and how to answer it. */
export interface GroupRequest<Item, Result> {
  item: Item;
  done: (result: Result) => void;
  fail: (err: unknown) => void;
}

/**
 * Requests asked for in the same turn of the event loop, handed together to `commit` at its end
 * (`setImmediate`): the group commits of the SQLite store (rotations, revocations), where one
 * transaction and one commit for the group cost less than one each. `commit` answers every
 * request of its group, each with its own result or error.
 */
export class TurnGroups<Item, Result> {
  private pending: GroupRequest<Item, Result>[] = [];

  constructor(private readonly commit: (group: GroupRequest<Item, Result>[]) => void) {}

  ask(item: Item): Promise<Result> {
    return new Promise((done, fail) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ item, done, fail });
    });
  }

  private flush(): void {
    const group = this.pending;
    this.pending = [];
    this.commit(group);
  }
}
