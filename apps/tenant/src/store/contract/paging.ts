/** Pages the store answers: offset-paged with a total, or checkpoint-paged by id. */
export interface Page<T> {
  items: T[];
  total: number;
}

export interface CheckpointPage<T> {
  items: T[];
  /** Opaque id to pass as `from` for the next page; undefined at the end. */
  next?: string;
}
