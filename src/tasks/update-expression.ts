/**
 * Builds DynamoDB update expressions from plain objects, so call sites read as data:
 * `update({ set: { status: 'RUNNING', 'checkpoint.thing': thing }, remove: ['leaseOwner'] })`.
 * Every path segment gets a name placeholder, which also keeps reserved words like `status` safe.
 */
export interface UpdateParts {
  set?: Record<string, unknown>;
  add?: Record<string, number>;
  remove?: string[];
}

export interface Expression {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

export class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};

  name(path: string): string {
    return path
      .split('.')
      .map((segment) => {
        const base = `#${segment.replace(/[^A-Za-z0-9_]/g, '_')}`;
        // `a-b` and `a_b` both sanitise to `#a_b`: a suffix keeps them apart instead of one
        // silently standing for the other.
        let placeholder = base;
        for (let i = 1; (this.names[placeholder] ?? segment) !== segment; i++) placeholder = `${base}_${i}`;
        this.names[placeholder] = segment;
        return placeholder;
      })
      .join('.');
  }

  value(v: unknown): string {
    const placeholder = `:v${Object.keys(this.values).length}`;
    this.values[placeholder] = v;
    return placeholder;
  }

  update(parts: UpdateParts): string {
    const clauses: string[] = [];
    const set = Object.entries(parts.set ?? {}).map(([k, v]) => `${this.name(k)} = ${this.value(v)}`);
    if (set.length > 0) clauses.push(`SET ${set.join(', ')}`);
    const add = Object.entries(parts.add ?? {}).map(([k, v]) => `${this.name(k)} ${this.value(v)}`);
    if (add.length > 0) clauses.push(`ADD ${add.join(', ')}`);
    if (parts.remove?.length) clauses.push(`REMOVE ${parts.remove.map((k) => this.name(k)).join(', ')}`);
    return clauses.join(' ');
  }

  /** The placeholders for UpdateCommand/PutCommand; undefined maps are left out as DynamoDB wants. */
  attributes(): Pick<Partial<Expression>, 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
    return {
      ...(Object.keys(this.names).length > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}
