import {renderTable} from '../../cli/render/table.js'
import {FilesystemCommand} from '../../cli/shmrCommand.js'
import {formatSize} from '../../lib/format/size.js'
import {withReadOnlyFs} from '../../lib/inspect/openReadOnly.js'
import {listTombstones, type TombstoneList} from '../../lib/inspect/tombstones.js'

export default class InspectTombstones extends FilesystemCommand {
  static override description = `Lists the block and shard files the metadata no longer points at (superseded by a rewrite, a shift or a delete), oldest first, with their drive, size and since when: what shmr gc deletes, and what a mounted server's reclaimer deletes by itself once no read uses them. Works mounted or not.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'What gc would delete', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml'},
    {description: 'The bytes waiting, for a script', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml --json | jq .bytes'},
  ]
  static override summary = 'List superseded files waiting for gc'

  async run(): Promise<TombstoneList> {
    const {flags} = await this.parse(InspectTombstones)
    const config = this.loadConfig(flags.config, {missingDrivesAllowed: true})
    const list = await withReadOnlyFs(config, (fs) => listTombstones(fs))
    if (!this.jsonEnabled()) {
      if (list.files === 0) this.log('no tombstones: nothing waits for gc')
      else {
        this.log(renderTable([['DRIVE', 'SIZE', 'SINCE', 'FILE'], ...list.tombstones.map((row) => [row.drive, row.sizeBytes === undefined ? '-' : formatSize(row.sizeBytes), row.since, row.path])]).join('\n'))
        this.log(`${list.files} tombstone(s), ${formatSize(list.bytes)}: shmr gc deletes them`)
      }
    }
    return list
  }
}
