import { DeltaError } from '../errors.ts';
import type {
  Action,
  AddAction,
  DomainMetadataAction,
  MetadataAction,
  ProtocolAction,
  RemoveAction,
  TxnAction,
} from './actions.ts';
import { fileKey } from './actions.ts';

/** The reconciled state of a table at one version (PROTOCOL.md "Action Reconciliation"). */
export interface TableState {
  readonly version: number;
  readonly protocol: ProtocolAction;
  readonly metadata: MetadataAction;
  /** Live files keyed by canonical path: the newest (path, deletion vector id) pair seen for each path. */
  readonly files: ReadonlyMap<string, AddAction>;
  /** Remove actions not superseded by a later add of the same file. */
  readonly tombstones: ReadonlyMap<string, RemoveAction>;
  readonly txns: ReadonlyMap<string, TxnAction>;
  /** Live domains (a `removed: true` action deletes the domain). */
  readonly domains: ReadonlyMap<string, DomainMetadataAction>;
}

/** Folds actions, oldest first, into table state. */
export class Reconciler {
  private protocol: ProtocolAction | undefined;
  private metadata: MetadataAction | undefined;
  private readonly files = new Map<string, AddAction>();
  private readonly tombstones = new Map<string, RemoveAction>();
  private readonly txns = new Map<string, TxnAction>();
  private readonly domains = new Map<string, DomainMetadataAction>();
  private readonly canonical: (path: string) => string;

  /** `canonical` maps a log path to the key its file is reconciled by (see log/paths.ts). */
  constructor(canonical: (path: string) => string = (p) => p) {
    this.canonical = canonical;
  }

  /** Applies the actions of one commit or checkpoint, in log order. */
  apply(actions: Iterable<Action>): void {
    for (const a of actions) {
      switch (a.type) {
        // PROTOCOL.md "Action Reconciliation": logical files are keyed by (path, dvId); the live set
        // holds the newest pair per path, and a commit's actions may come in any order, so a remove
        // only retires the add of the same logical file.
        case 'add': {
          const path = this.canonical(a.add.path);
          this.files.set(path, a.add);
          // A checkpoint's thousands of adds come before any remove: no tombstone to retire, no key to build.
          if (this.tombstones.size > 0) this.tombstones.delete(fileKey(path, a.add.deletionVector));
          break;
        }
        case 'remove': {
          const path = this.canonical(a.remove.path);
          const k = fileKey(path, a.remove.deletionVector);
          const live = this.files.get(path);
          if (live && fileKey(path, live.deletionVector) === k) this.files.delete(path);
          this.tombstones.set(k, a.remove);
          break;
        }
        case 'protocol':
          this.protocol = a.protocol;
          break;
        case 'metaData':
          this.metadata = a.metaData;
          break;
        case 'txn':
          this.txns.set(a.txn.appId, a.txn);
          break;
        case 'domainMetadata':
          if (a.domainMetadata.removed) this.domains.delete(a.domainMetadata.domain);
          else this.domains.set(a.domainMetadata.domain, a.domainMetadata);
          break;
        default:
          break;
      }
    }
  }

  /** Protocol seen so far (used to gate reading before the data is touched). */
  currentProtocol(): ProtocolAction | undefined {
    return this.protocol;
  }

  /** The state, or a DeltaError when the log never declared protocol or metadata. */
  finish(version: number, uri: string): TableState {
    if (!this.protocol) {
      throw new DeltaError('missing-protocol', `no protocol action up to version ${version}`, {
        path: uri,
        hint: 'every Delta table declares its protocol in commit 0 or a checkpoint; this log is invalid',
      });
    }
    if (!this.metadata) {
      throw new DeltaError('missing-metadata', `no metaData action up to version ${version}`, {
        path: uri,
        hint: 'every Delta table declares its metadata in commit 0 or a checkpoint; this log is invalid',
      });
    }
    return {
      version,
      protocol: this.protocol,
      metadata: this.metadata,
      files: this.files,
      tombstones: this.tombstones,
      txns: this.txns,
      domains: this.domains,
    };
  }
}
