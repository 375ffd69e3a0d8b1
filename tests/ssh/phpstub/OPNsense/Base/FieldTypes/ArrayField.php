<?php
namespace OPNsense\Base\FieldTypes;

/* The <vip> items: Add() (new uuid, defaults), del($uuid), iterateItems()
 * yielding uuid => item, as core's ArrayField. */
class ArrayField
{
    public $items = [];
    public $deleted = [];
    private $template;

    public function __construct($template)
    {
        $this->template = $template;
    }

    public function add($uuid = null)
    {
        $uuid = $uuid ?? sprintf('%04x%04x-%04x-4%03x-8%03x-%012x', random_int(0, 0xffff), random_int(0, 0xffff),
            random_int(0, 0xffff), random_int(0, 0xfff), random_int(0, 0xfff), random_int(0, 0xffffffffffff));
        $item = new ContainerField($uuid, $this->template);
        $item->stubNew = true;
        $this->items[$uuid] = $item;
        return $item;
    }

    /* An item the node already has (not a change). */
    public function stubLoad($uuid, $fields)
    {
        $item = new ContainerField($uuid, $this->template);
        $item->setNodes($fields);
        $this->items[$uuid] = $item;
    }

    public function del($index)
    {
        if (!isset($this->items[(string)$index])) {
            return false;
        }
        if (!$this->items[(string)$index]->stubNew) {
            $this->deleted[] = (string)$index;
        }
        unset($this->items[(string)$index]);
        return true;
    }

    public function iterateItems()
    {
        foreach ($this->items as $k => $v) {
            yield $k => $v;
        }
    }
}
