/**
 * A folder dropped on the page, read through the entries API (the only way a drop exposes a
 * folder's contents), as the same picked files a folder input gives; or one dropped bundle
 * archive (a .tar file), as the archive input gives it.
 */
import { KeyriteError } from '../../core/errors.ts';
import { MAX_BUNDLE_FILES } from '../../core/bundle/layout.ts';
import type { PickedFile } from './bundle-selection.ts';
import type { PickedArchive } from './bundle-archive.ts';

const DROP_ONE_FOLDER = 'Drop the bundle folder itself (one folder, the one that holds bundle.json), or its archive (one bundle.keyrite.tar file).';

function readBatch(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function collect(dir: FileSystemDirectoryEntry, out: PickedFile[]): Promise<void> {
  const reader = dir.createReader();
  // readEntries returns a folder in batches, ending with an empty one.
  for (let batch = await readBatch(reader); batch.length > 0; batch = await readBatch(reader)) {
    for (const entry of batch) {
      if (out.length > MAX_BUNDLE_FILES) throw new KeyriteError('INVALID_INPUT', `The folder holds more than ${MAX_BUNDLE_FILES} files; it is not a Keyrite bundle.`);
      if (entry.isDirectory) {
        await collect(entry as FileSystemDirectoryEntry, out);
      } else {
        const file = await fileOf(entry as FileSystemFileEntry);
        out.push({ relativePath: entry.fullPath.replace(/^\//, ''), size: file.size, read: async () => new Uint8Array(await file.arrayBuffer()) });
      }
    }
  }
}

export type Dropped = { readonly folder: PickedFile[] } | { readonly archive: PickedArchive };

export async function droppedBundle(data: DataTransfer | null): Promise<Dropped> {
  const items = [...(data?.items ?? [])];
  if (items.length !== 1) throw new KeyriteError('INVALID_INPUT', DROP_ONE_FOLDER);
  const dropped = items[0]!.webkitGetAsEntry();
  if (!dropped?.isDirectory) {
    const file = items[0]!.getAsFile();
    if (!file?.name.endsWith('.tar')) throw new KeyriteError('INVALID_INPUT', DROP_ONE_FOLDER);
    return { archive: { name: file.name, size: file.size, read: async () => new Uint8Array(await file.arrayBuffer()) } };
  }
  const out: PickedFile[] = [];
  await collect(dropped as FileSystemDirectoryEntry, out);
  return { folder: out };
}
