package importer

import (
	"fmt"

	"github.com/corimport/corimport/importer/input"
	"github.com/corimport/corimport/mapping"
)

// openFile is an input opened before the run starts, with its mapper.
type openFile struct {
	index  int
	reader input.Reader
	mapper *mapping.Mapper
	info   FileInfo
	json   bool // JSONL or a JSON array, whose records have no cells
}

// openAll opens every input and compiles its mapping before anything is
// sent, so that a bad header or an unreadable file stops the job while it
// is still harmless to fix and start again.
func openAll(cfg Config) ([]*openFile, error) {
	var files []*openFile
	for i, name := range cfg.Inputs {
		f, err := openOne(cfg, i, name)
		if err != nil {
			closeAll(files)
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

func openOne(cfg Config, index int, name string) (*openFile, error) {
	rd, err := input.Open(name, cfg.Stdin, cfg.Input)
	if err != nil {
		return nil, err
	}
	header := rd.Header()

	spec := cfg.Spec
	if spec == nil {
		spec, _ = mapping.Infer(header)
	}
	m, err := mapping.Compile(spec, header, cfg.Source)
	if err != nil {
		rd.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	info := rd.Info()
	return &openFile{
		json:   info.Format != "csv",
		index:  index,
		reader: rd,
		mapper: m,
		info: FileInfo{
			Name:    name,
			Input:   info,
			Mapping: m.Describe(),
			Ignored: m.Ignored(),
		},
	}, nil
}

func closeAll(files []*openFile) {
	for _, f := range files {
		f.reader.Close()
	}
}
